"""Uploading .txt files from the admin: first a preview of each file's cut
(encoding, collection title, intro, essays, doubts), with a layout hint to
choose per file; then, on confirmation, the same importer as import_seeds.

A pending upload waits in ``VAR_DIR/uploads/<token>/`` (the files and a
manifest), not in the session: confirm imports it and removes it, cancel
removes it, and one left behind (a closed tab) is removed after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essays import parsing
from essays.cutreview import doubt_message
from essays.importer import FileReport, Importer, ImportReport
from essays.models import Essay, SourceFile

# One upload at most: so many files, so many bytes in all.
MAX_FILES = 50
MAX_TOTAL_BYTES = 20 * 1024 * 1024
PENDING_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def max_files() -> int:
    return getattr(settings, "UPLOAD_MAX_FILES", MAX_FILES)


def max_total_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_TOTAL_BYTES", MAX_TOTAL_BYTES)


def megabytes(size: int) -> str:
    """A size as a reader says it: 20 MB, 1.5 MB, 300 KB."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


def cap_message() -> str:
    return _("一次最多上传 %(files)d 个文件、共 %(size)s。") % {
        "files": max_files(),
        "size": megabytes(max_total_bytes()),
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        # Empty files go through: the importer refuses them with its reason.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("文本文件"),
        help_text=gettext_lazy("可一次选择多个 .txt 文件；与 import_seeds 使用同一个导入程序。"),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > max_files():
            raise forms.ValidationError(_("选了 %(count)d 个文件，超出上限。") % {"count": len(files)} + cap_message())
        total = sum(f.size for f in files)
        if total > max_total_bytes():
            raise forms.ValidationError(
                _("所选文件共 %(size)s，超出上限。") % {"size": megabytes(total)} + cap_message()
            )
        return files


# -- translated messages ------------------------------------------------------------

PARSE_MESSAGES = [
    (r"^empty file$", gettext_lazy("文件是空的")),
    (r"^contains only whitespace$", gettext_lazy("文件只有空白")),
    (r"^binary data", gettext_lazy("是二进制数据，不是文本文件")),
    (r"^starts with a UTF-(8|16) byte order mark", gettext_lazy("带有字节顺序标记，但内容不是有效的 Unicode 文本")),
    (r"^cannot be decoded", gettext_lazy("无法按 UTF-8、UTF-16、GB18030 或 Big5 解码")),
    (r"^does not look like Chinese", gettext_lazy("看起来不是任何已知编码的中文文本")),
    (r"^no essay found", gettext_lazy("没有找到文章（只有标题、小标题或编者按）")),
    (r"^no separator lines", gettext_lazy("文件里没有分隔线")),
    (r"^no headings of the family", gettext_lazy("文件里没有这一类小标题")),
    (r"^the file has no title line", gettext_lazy("文件没有可供重复的标题行")),
    (r"is a separator line", gettext_lazy("勾选的行里有分隔线，分隔线不能作标题")),
]


def parse_error_text(message: str) -> str:
    for pattern, text in PARSE_MESSAGES:
        if re.search(pattern, message):
            return str(text)
    return _("无法切分：%(detail)s") % {"detail": message}


def doubt_text(doubt) -> str:
    """A doubt about a cut, as a curator reads it."""
    return str(doubt_message(doubt))


def report_text(report: FileReport) -> str:
    """One translated line saying what landed from a file, or why not."""
    code, values = report.code, report.values
    if report.status == "failed":
        if code == "too_large":
            return _("未导入：文件 %(size)s，超过每个文件 %(limit)s 的上限。") % {
                "size": megabytes(values["size"]),
                "limit": megabytes(values["limit"]),
            }
        if code == "not_txt":
            return _("未导入：不是 .txt 文件。")
        if code == "unparsable":
            return _("未导入：%(reason)s。") % {"reason": parse_error_text(values["message"])}
        return _("未导入：保存失败（%(detail)s），此文件没有留下任何内容。") % {"detail": report.reason}
    if code == "same_content":
        return _("未导入：内容与已有的 %(twin)s 相同。") % {"twin": values["twin"]}
    if code == "kept_cut":
        return _("保留了策展人调整过的切分（%(count)d 篇），未按文件重新切分。") % {"count": values["count"]}
    if report.status == "unchanged":
        return _("没有变化：与上次导入的文件相同（%(count)d 篇）。") % {"count": report.unchanged}
    text = _("新增 %(created)d 篇，更新 %(updated)d 篇，未变 %(unchanged)d 篇。") % {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if report.retired:
        text += " " + _("%(count)d 篇已不在文件中，已隐藏。") % {"count": report.retired}
    return text


# -- pending uploads ----------------------------------------------------------------


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def pending_dir(token: str) -> Path | None:
    if not TOKEN_RE.match(token or ""):
        return None
    folder = uploads_dir() / token
    return folder if (folder / "manifest.json").is_file() else None


def clean_stale(now: float | None = None) -> None:
    """Remove pending uploads nobody confirmed or cancelled within a day."""
    root = uploads_dir()
    if not root.is_dir():
        return
    limit = (now or time.time()) - PENDING_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and TOKEN_RE.match(folder.name) and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def store_pending(files) -> str:
    token = secrets.token_hex(16)
    folder = uploads_dir() / token
    folder.mkdir(parents=True)
    manifest = []
    for number, upload in enumerate(files):
        name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
        stored = f"{number}.bin"
        with open(folder / stored, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        manifest.append({"name": name, "file": stored, "size": upload.size})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return token


def read_manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


HINT_AUTO = "auto"


def hint_choices() -> list[tuple[str, str]]:
    return [
        (HINT_AUTO, _("自动识别")),
        ("single", _("整个文件是一篇")),
        ("separator", _("按分隔线切分")),
        *((f"family:{key}", _("按小标题：%(label)s") % {"label": label}) for key, label in parsing.heading_families()),
    ]


def hint_from(value: str) -> parsing.CutHint | None:
    if not value or value == HINT_AUTO:
        return None
    if value.startswith("family:"):
        return parsing.CutHint(mode="family", family=value.split(":", 1)[1])
    if value in ("single", "separator"):
        return parsing.CutHint(mode=value)
    return None


def preview_file(entry: dict, data: bytes, hint_value: str, max_bytes: int) -> dict:
    """What importing one file would do, without writing anything."""
    name = entry["name"]
    item = {"name": name, "size": megabytes(len(data)), "hint": hint_value or HINT_AUTO, "ok": False}
    if not name.lower().endswith(".txt"):
        item["error"] = _("不是 .txt 文件，不会导入。")
        return item
    if len(data) > max_bytes:
        item["error"] = _("文件 %(size)s，超过每个文件 %(limit)s 的上限，不会导入。") % {
            "size": megabytes(len(data)),
            "limit": megabytes(max_bytes),
        }
        return item
    try:
        text, encoding = parsing.decode(data)
        parsed = parsing.parse(text, fallback_title=Path(name).stem, hint=hint_from(hint_value))
    except parsing.ParseError as exc:
        item["error"] = parse_error_text(str(exc)) + _("。换一种切分方式试试，或不导入此文件。")
        return item
    existing = SourceFile.objects.filter(name=name).first()
    if existing is None:
        state = _("新合集")
    elif existing.cut_curated:
        state = _("已有此合集，其切分经策展人调整：导入时保留现有切分。")
    else:
        state = _("已有此合集：导入时按文件更新。")
    doubts = {}
    for doubt in parsed.doubts:
        doubts.setdefault(doubt.essay, []).append(doubt_text(doubt))
    item.update(
        ok=True,
        encoding=encoding,
        title=parsed.title,
        intro=parsed.intro,
        state=state,
        file_doubts=doubts.get(None, []),
        essays=[
            {
                "title": essay.title,
                "chars": sum(len("".join(p.split())) for p in essay.paragraphs),
                "paragraphs": len(essay.paragraphs),
                "doubts": doubts.get(number, []),
            }
            for number, essay in enumerate(parsed.essays)
        ],
    )
    return item


class Uploads:
    """Adding new text files from the collections page: preview, then import."""

    def get_urls(self):
        own = [path("upload/", self.admin_site.admin_view(self.upload_view), name="essays_sourcefile_upload")]
        return own + super().get_urls()

    def _upload_render(self, request, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": _("上传文本文件"),
            "opts": self.model._meta,
            "cap": cap_message(),
            "max_files": max_files(),
            "max_total_bytes": max_total_bytes(),
            **context,
        }
        return TemplateResponse(request, f"admin/essays/sourcefile/{template}", context)

    def upload_view(self, request):
        if not request.user.has_perm("essays.add_sourcefile"):
            messages.error(request, _("你没有上传文件的权限。"))
            return HttpResponseRedirect(reverse("admin:essays_sourcefile_changelist"))
        clean_stale()
        if request.method != "POST":
            return self._upload_render(request, "upload.html", form=UploadForm())
        token = request.POST.get("token", "")
        if not token:
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return self._upload_render(request, "upload.html", form=form)
            token = store_pending(form.cleaned_data["files"])
            return self._upload_preview(request, token, pending_dir(token))
        folder = pending_dir(token)
        if folder is None:
            messages.error(request, _("这次上传已失效（已导入、已取消或已过期），请重新选择文件。"))
            return HttpResponseRedirect(reverse("admin:essays_sourcefile_upload"))
        if "cancel" in request.POST:
            shutil.rmtree(folder, ignore_errors=True)
            messages.info(request, _("已取消上传，没有导入任何文件。"))
            return HttpResponseRedirect(reverse("admin:essays_sourcefile_upload"))
        if "confirm" in request.POST:
            return self._upload_import(request, folder)
        return self._upload_preview(request, token, folder)

    def _upload_hints(self, request, count: int) -> list[str]:
        allowed = {value for value, _label in hint_choices()}
        return [v if (v := request.POST.get(f"hint-{n}", HINT_AUTO)) in allowed else HINT_AUTO for n in range(count)]

    def _upload_preview(self, request, token, folder):
        manifest = read_manifest(folder)
        hints = self._upload_hints(request, len(manifest))
        max_bytes = settings.IMPORT_MAX_BYTES
        items = [
            preview_file(entry, (folder / entry["file"]).read_bytes(), hint, max_bytes)
            for entry, hint in zip(manifest, hints, strict=True)
        ]
        return self._upload_render(
            request,
            "upload_preview.html",
            title=_("上传预览：确认后才导入"),
            token=token,
            items=items,
            hint_choices=hint_choices(),
            importable=sum(1 for item in items if item["ok"]),
        )

    def _upload_import(self, request, folder):
        manifest = read_manifest(folder)
        hints = self._upload_hints(request, len(manifest))
        importer = Importer()
        report = ImportReport()
        for entry, hint in zip(manifest, hints, strict=True):
            name = entry["name"]
            if not name.lower().endswith(".txt"):
                report.files.append(FileReport(name=name, reason="not a .txt file", code="not_txt"))
                continue
            data = (folder / entry["file"]).read_bytes()
            report.files.append(importer.import_bytes(name, data, hint=hint_from(hint)))
        importer.finish(report)
        shutil.rmtree(folder, ignore_errors=True)
        rows = []
        for file_report in report.files:
            source = SourceFile.objects.filter(pk=file_report.source_id).first() if file_report.source_id else None
            if source and file_report.status == "imported":
                self.log_addition(request, source, [{"added": {}}])
            new = Essay.objects.filter(pk__in=file_report.created_ids).order_by("position")
            rows.append(
                {
                    "name": file_report.name,
                    "failed": file_report.status == "failed",
                    "text": report_text(file_report),
                    "source": source if file_report.status != "failed" else None,
                    "essays": list(new),
                }
            )
        summary = _("%(landed)d 个文件已导入，%(failed)d 个未导入；新增文章 %(created)d 篇。") % {
            "landed": report.count("imported") + report.count("updated"),
            "failed": report.count("failed"),
            "created": sum(f.created for f in report.files),
        }
        index_error = _("搜索索引未能更新，请运行 rebuild_index。") if report.index_error else ""
        return self._upload_render(
            request,
            "upload.html",
            form=UploadForm(),
            rows=rows,
            summary=summary,
            index_error=index_error,
        )
