from django import forms, template

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field with the Tabler/Bootstrap class for its widget, marking invalid ones."""
    widget = field.field.widget
    css = "form-select" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": (widget.attrs.get("class", "") + " " + css).strip()}
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
