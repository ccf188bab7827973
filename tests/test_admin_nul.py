"""Nothing a curator types can write a NUL to PostgreSQL: the admin's forms
refuse it with a form error, and the free-text tag box drops it."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from essays.models import Essay, Section, SourceFile, Tag

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:essays_essay_changelist")


@pytest.fixture
def root_client(client, imported):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


@pytest.mark.parametrize("model", [Essay, Section, SourceFile, Tag])
def test_every_text_field_of_the_admin_forms_refuses_a_nul(imported, model):
    request = RequestFactory().post("/")
    request.user = User.objects.create_superuser("root", password="pw")
    model_admin = admin.site._registry[model]
    obj = model.objects.first()
    form_class = model_admin.get_form(request, obj)
    base = {key: value for key, value in model_to_dict(obj).items() if value is not None}
    base = {k: [o.pk for o in v] if isinstance(v, list) else v for k, v in base.items()}
    text_fields = [name for name, field in form_class.base_fields.items() if isinstance(field, forms.CharField)]
    assert text_fields
    for name in text_fields:
        form = form_class(data={**base, name: "甲\x00乙"}, instance=obj)
        assert not form.is_valid()
        assert name in form.errors, name


def test_add_tag_drops_a_nul(root_client):
    essay = Essay.objects.readable().first()
    response = root_client.post(reverse("admin:essays_essay_add_tag", args=[essay.pk]), {"tag": "新\x00标签"})
    assert response.status_code == 302
    assert "新标签" in set(essay.tags.values_list("name", flat=True))
    assert not any("\x00" in name for name in Tag.objects.values_list("name", flat=True))


def test_mark_duplicate_refuses_a_key_with_a_nul(root_client):
    essay = Essay.objects.readable().first()
    payload = {"action": "mark_duplicate", "_selected_action": [essay.pk], "apply": "1", "original": "abc\x00def"}
    response = root_client.post(CHANGELIST, payload)
    assert response.status_code == 200
    assert response.context["form"].errors["original"]
    essay.refresh_from_db()
    assert essay.duplicate_of_id is None
