"""SM4-GCM field encryption and the HMAC blind index (keys passed explicitly, no settings)."""

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from dangjian.core import crypto
from dangjian.core.crypto import (blind_index, blind_indexes, decrypt_text, encrypt_text, encrypt_texts,
                                  normalize_for_index)

KEY = "test-field-key-0123456789abcdef-not-for-production"
OTHER_KEY = "another-field-key-0123456789abcdef-not-for-production"
ID = "11010519491231002X"


# --- the primitive itself ---------------------------------------------------------------------


def test_sm4_known_answer_gbt_32907():
    # GB/T 32907-2016 Appendix A, example 1: the key encrypted under itself.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == (
        "681edf34d206965e86b3e94f536e4246"
    )


def test_sm4_gcm_known_answer_rfc_8998():
    # RFC 8998 Appendix A.1 (SM4-GCM test vector).
    h = bytes.fromhex
    key, iv = h("0123456789ABCDEFFEDCBA9876543210"), h("00001234567800000000ABCD")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(h("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plain = h("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
              "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    cipher = encryptor.update(plain) + encryptor.finalize()
    assert cipher.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


# --- encrypt / decrypt ------------------------------------------------------------------------


@pytest.mark.parametrize("plain", [ID, "张三", "中共某某支部委员会 第1党小组", "a", "x" * 5000, "🇨🇳"])
def test_round_trip(plain):
    token = encrypt_text(plain, key=KEY)
    assert token.startswith("v1:")
    if len(plain) > 4:  # a single letter can occur in base64 by chance
        assert plain not in token
    assert decrypt_text(token, key=KEY) == plain


def test_token_layout():
    raw = base64.urlsafe_b64decode(encrypt_text(ID, key=KEY)[3:])
    assert len(raw) == 12 + len(ID) + 16  # nonce + ciphertext + tag


def test_same_plaintext_gives_different_ciphertexts():
    tokens = {encrypt_text(ID, key=KEY) for _ in range(50)}
    assert len(tokens) == 50


def test_empty_string_stays_empty():
    assert encrypt_text("", key=KEY) == ""
    assert decrypt_text("", key=KEY) == ""


def test_wrong_key_is_refused():
    token = encrypt_text(ID, key=KEY)
    with pytest.raises(ValueError):
        decrypt_text(token, key=OTHER_KEY)


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[index] ^= 0x01
    return "v1:" + base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("index", [0, 11, 12, 20, -17, -1])  # nonce, ciphertext, tag
def test_tampering_is_detected(index):
    token = encrypt_text(ID, key=KEY)
    with pytest.raises(ValueError):
        decrypt_text(_flip(token, index), key=KEY)


@pytest.mark.parametrize(
    "token",
    [
        ID,  # plaintext, no prefix
        "v2:AAAA",
        "v1:",
        "v1:AAAA",  # too short to hold nonce and tag
        "v1:not base64!",
        "v1:" + "A" * 10 + "*" + "A" * 50,
    ],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(ValueError):
        decrypt_text(token, key=KEY)


def test_inserted_characters_are_not_silently_skipped():
    token = encrypt_text(ID, key=KEY)
    with pytest.raises(ValueError):
        decrypt_text(token[:10] + "." + token[10:], key=KEY)


def test_truncated_and_extended_tokens_are_refused():
    token = encrypt_text(ID, key=KEY)
    raw = base64.urlsafe_b64decode(token[3:])
    for changed in (raw[:-1], raw + b"\x00", raw[:12] + raw[13:]):
        with pytest.raises(ValueError):
            decrypt_text("v1:" + base64.urlsafe_b64encode(changed).decode(), key=KEY)


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        encrypt_text(ID, key="")
    with pytest.raises(ValueError):
        blind_index(ID, key="")


def test_key_none_reads_settings_at_call_time(monkeypatch):
    class FakeSettings:
        DANGJIAN_FIELD_KEY = KEY

    import django.conf

    monkeypatch.setattr(django.conf, "settings", FakeSettings())
    token = encrypt_text(ID)
    assert decrypt_text(token, key=KEY) == ID
    assert blind_index(ID) == blind_index(ID, key=KEY)


def test_missing_setting_is_an_improperly_configured_error(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    import django.conf

    monkeypatch.setattr(django.conf, "settings", object())
    with pytest.raises(ImproperlyConfigured):
        encrypt_text(ID)


# --- blind index ------------------------------------------------------------------------------


def test_blind_index_shape_and_determinism():
    first = blind_index(ID, key=KEY)
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert blind_index(ID, key=KEY) == first


def test_blind_index_depends_on_key_and_value():
    assert blind_index(ID, key=KEY) != blind_index(ID, key=OTHER_KEY)
    assert blind_index(ID, key=KEY) != blind_index("34052419800101001X", key=KEY)


def test_blind_index_normalizes_input():
    expected = blind_index(ID, key=KEY)
    for variant in ("11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２ｘ",
                    "110105\u300019491231002X"):
        assert blind_index(variant, key=KEY) == expected
    assert normalize_for_index(" 11010519491231002x ") == ID


def test_blind_index_is_not_the_plain_sha256_or_the_encryption_key():
    import hashlib

    assert blind_index(ID, key=KEY) != hashlib.sha256(ID.encode()).hexdigest()
    enc_key, idx_key = crypto._subkeys(KEY)
    assert len(enc_key) == 16 and len(idx_key) == 32
    assert enc_key != idx_key[:16]


def test_blind_index_of_blank_is_blank():
    assert blind_index("", key=KEY) == ""
    assert blind_index("  \u3000", key=KEY) == ""


# --- the model field, without a database ------------------------------------------------------


@pytest.fixture
def field(monkeypatch):
    from dangjian.core.fields import EncryptedCharField

    class FakeSettings:
        DANGJIAN_FIELD_KEY = KEY

    import django.conf

    monkeypatch.setattr(django.conf, "settings", FakeSettings())
    return EncryptedCharField(blank=True)


def test_field_encrypts_on_save_and_decrypts_on_load(field):
    stored = field.get_prep_value(ID)
    assert stored.startswith("v1:")
    assert decrypt_text(stored, key=KEY) == ID
    assert field.from_db_value(stored, None, None) == ID


def test_field_passes_none_and_blank_through(field):
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, None) is None
    assert field.from_db_value("", None, None) == ""


def test_field_refuses_a_tampered_value(field):
    with pytest.raises(ValueError):
        field.from_db_value(_flip(field.get_prep_value(ID), 15), None, None)


def test_field_deconstructs_to_its_own_path():
    from dangjian.core.fields import EncryptedCharField

    name, path, args, kwargs = EncryptedCharField(blank=True, verbose_name="身份证号").deconstruct()
    assert path == "dangjian.core.fields.EncryptedCharField"
    assert args == []
    assert kwargs == {"blank": True, "verbose_name": "身份证号"}
    assert EncryptedCharField(*args, **kwargs).deconstruct()[1:] == (path, args, kwargs)


def test_field_allows_only_isnull_lookups():
    from dangjian.core.fields import EncryptedCharField

    f = EncryptedCharField()
    assert f.get_lookup("isnull") is not None
    for name in ("exact", "iexact", "contains", "in", "startswith"):
        assert f.get_lookup(name) is None


# --- bulk helpers (roster import) -------------------------------------------------------------


def test_bulk_helpers_equal_the_single_value_functions():
    values = [ID, "11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２ｘ", "", "  \u3000",
              "44010619850101001X", "abc"]
    assert blind_indexes(values, key=KEY) == [blind_index(v, key=KEY) for v in values]
    tokens = encrypt_texts(values, key=KEY)
    assert [decrypt_text(t, key=KEY) for t in tokens] == values[:4] + ["", "  \u3000"] + values[6:]
    assert tokens[4] == "" and len(set(encrypt_texts([ID, ID], key=KEY))) == 2  # a fresh nonce each
    with pytest.raises(TypeError):
        encrypt_texts([ID, 5], key=KEY)


def test_ascii_fast_path_of_the_index_normalisation_is_nfkc():
    import unicodedata

    for value in (ID, "11010519491231002x", "abcXYZ09", "a b", "a\u3000b", "ｘ", "Ⅻ", "ß", "ﬁ"):
        assert normalize_for_index(value) == "".join(unicodedata.normalize("NFKC", value).split()).upper()


def test_key_change_takes_effect_at_once(monkeypatch):
    import django.conf

    class First:
        DANGJIAN_FIELD_KEY = KEY

    class Second:
        DANGJIAN_FIELD_KEY = OTHER_KEY

    monkeypatch.setattr(django.conf, "settings", First())
    first = blind_indexes([ID])[0]
    token = encrypt_texts([ID])[0]
    monkeypatch.setattr(django.conf, "settings", Second())
    assert blind_indexes([ID])[0] == blind_index(ID, key=OTHER_KEY) != first
    with pytest.raises(ValueError):
        decrypt_text(token)
