from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.me, name="index"),
    path("me/", views.me, name="me"),
    path("materials/", views.materials, name="materials"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:material_id>/", views.material_detail, name="material_detail"),
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:course_id>/", views.course_detail, name="course_detail"),
    path("quizzes/", views.quizzes, name="quizzes"),
    path("quizzes/new/", views.quiz_create, name="quiz_create"),
    path("questions/new/", views.question_create, name="question_create"),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<int:quiz_id>/take/", views.quiz_take, name="quiz_take"),
    path("hours/", views.hours, name="hours"),
    path("hours/export.xlsx", views.hours_export, name="hours_export"),
    path("hours/leader/<int:member_id>/", views.leader_toggle, name="leader_toggle"),
    path("secretaries/", views.secretaries, name="secretaries"),
]
