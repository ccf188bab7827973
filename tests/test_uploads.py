"""Uploads: a preview of each file's cut first, a layout hint per file, then
import on confirmation; cancel leaves nothing; caps with clear messages; a
translated report that links what landed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essays.admin.uploads import megabytes
from essays.models import SourceFile

pytestmark = pytest.mark.django_db

URL = reverse("admin:essays_sourcefile_upload")
DASHED = (
    "分隔线合集\n\n"
    "第一篇的正文写在这里，讲的是乡村振兴的故事，村民们一起修路、种树、办合作社。\n"
    "------------------------------\n"
    "第二篇的正文写在这里，讲的是城市社区的志愿者，他们在疫情期间挨家挨户送菜送药。\n"
)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def txt(name, text, encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), "text/plain")


def pending(var_dir):
    folder = var_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_upload_shows_the_cut_first_and_stores_nothing(curator_client, search_index, var_dir):
    response = curator_client.post(URL, {"files": [txt("dashed.txt", DASHED, "gb18030")]})
    html = response.content.decode()
    assert response.status_code == 200 and "确认导入" in html
    assert "gb18030" in html and "分隔线合集" in html
    item = response.context["items"][0]
    assert len(item["essays"]) == 2 and all(e["chars"] > 20 for e in item["essays"])
    assert not SourceFile.objects.exists() and len(pending(var_dir)) == 1


def test_cancel_leaves_nothing_behind(curator_client, search_index, var_dir):
    token = curator_client.post(URL, {"files": [txt("dashed.txt", DASHED)]}).context["token"]
    response = curator_client.post(URL, {"token": token, "cancel": "1"}, follow=True)
    assert "已取消上传，没有导入任何文件。" in response.content.decode()
    assert pending(var_dir) == [] and not SourceFile.objects.exists()


def test_confirm_imports_with_the_chosen_hint_and_links_what_landed(curator_client, search_index, var_dir):
    token = curator_client.post(URL, {"files": [txt("dashed.txt", DASHED)]}).context["token"]
    preview = curator_client.post(URL, {"token": token, "preview": "1", "hint-0": "single"})
    assert len(preview.context["items"][0]["essays"]) == 1
    response = curator_client.post(URL, {"token": token, "confirm": "1", "hint-0": "single"})
    html = response.content.decode()
    source = SourceFile.objects.get(name="dashed.txt")
    essay = source.essays.get()
    assert reverse("admin:essays_sourcefile_change", args=[source.pk]) in html
    assert essay.get_absolute_url() in html and "新增 1 篇" in html
    assert source.cut_hint == {"mode": "single", "family": ""}
    assert pending(var_dir) == []


def test_a_confirmed_upload_cannot_be_confirmed_twice(curator_client, search_index):
    token = curator_client.post(URL, {"files": [txt("dashed.txt", DASHED)]}).context["token"]
    curator_client.post(URL, {"token": token, "confirm": "1"})
    again = curator_client.post(URL, {"token": token, "confirm": "1"}, follow=True)
    assert "这次上传已失效" in again.content.decode()
    assert SourceFile.objects.count() == 1


def test_a_token_that_is_not_one_is_refused(curator_client, search_index):
    response = curator_client.post(URL, {"token": "../../etc", "confirm": "1"}, follow=True)
    assert "这次上传已失效" in response.content.decode()


def test_too_many_files_names_the_cap(curator_client, search_index, settings):
    settings.UPLOAD_MAX_FILES = 2
    files = [txt(f"{n}.txt", DASHED.replace("分隔线合集", f"合集{n}")) for n in range(3)]
    html = curator_client.post(URL, {"files": files}).content.decode()
    assert "选了 3 个文件，超出上限。一次最多上传 2 个文件、共 20 MB。" in html
    assert not SourceFile.objects.exists()


def test_101_files_get_a_clear_page_not_a_bare_400(curator_client, search_index):
    files = [txt(f"{n}.txt", "文") for n in range(101)]
    response = curator_client.post(URL, {"files": files})
    assert response.status_code == 400
    assert "一次最多上传 50 个文件、共 20 MB。" in response.content.decode()


def test_a_file_over_the_limit_is_reported_in_megabytes(curator_client, search_index, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    settings.UPLOAD_MAX_TOTAL_BYTES = 10 * 1024 * 1024
    big = SimpleUploadedFile("big.txt", ("文" * 700_000).encode(), "text/plain")
    response = curator_client.post(URL, {"files": [big]})
    assert "文件 2 MB，超过每个文件 1 MB 的上限，不会导入。" in response.content.decode()
    assert "确认导入" not in response.content.decode()


def test_megabytes_reads_as_people_say_it():
    assert megabytes(20 * 1024 * 1024) == "20 MB"
    assert megabytes(1536 * 1024) == "1.5 MB" and megabytes(300 * 1024) == "300 KB"
