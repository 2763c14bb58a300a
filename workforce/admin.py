"""The pay table in the admin: editors correct figures and confirm them."""

from django import forms
from django.contrib import admin
from django.db import models

from .models import PayBand, PayTable


class PayBandInline(admin.TabularInline):
    model = PayBand
    extra = 0
    fields = ["band", "position", "minimum", "maximum", "confirmed"]


@admin.register(PayTable)
class PayTableAdmin(admin.ModelAdmin):
    list_display = ["year", "applies_from", "source"]
    fields = ["year", "applies_from", "source", "source_url", "note"]
    inlines = [PayBandInline]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
