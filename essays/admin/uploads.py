"""Uploading .txt files into the archive from the admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from essays.importer import FileReport, Importer, ImportReport
from essays.models import SourceFile


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
        label=_("文本文件"),
        help_text=_("可一次选择多个 .txt 文件；与 import_seeds 使用同一个导入程序。"),
    )


class Uploads:
    """Adding new text files from the collections page, through the same
    importer as import_seeds."""

    def get_urls(self):
        own = [path("upload/", self.admin_site.admin_view(self.upload_view), name="essays_sourcefile_upload")]
        return own + super().get_urls()

    def upload_view(self, request):
        if not request.user.has_perm("essays.add_sourcefile"):
            messages.error(request, _("你没有上传文件的权限。"))
            return HttpResponseRedirect(reverse("admin:essays_sourcefile_changelist"))
        report = None
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                importer = Importer()
                report = ImportReport()
                for upload in form.cleaned_data["files"]:
                    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                    if not name.lower().endswith(".txt"):
                        report.files.append(FileReport(name=name, reason=_("不是 .txt 文件")))
                        continue
                    data = upload.read(importer.max_bytes + 1)
                    report.files.append(importer.import_bytes(name, data))
                importer.finish(report)
                for file_report in report.files:
                    if file_report.status != "failed":
                        source = SourceFile.objects.filter(name=file_report.name).first()
                        if source:
                            self.log_addition(request, source, [{"added": {}}])
                form = UploadForm()
        else:
            form = UploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("上传文本文件"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/sourcefile/upload.html", context)
