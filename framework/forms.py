"""Forms that read the framework pages' query parameters."""

from django import forms


class ChangeLogForm(forms.Form):
    """The change log's one parameter: show the days of changes before this date."""

    before = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class ChangeDayForm(forms.Form):
    """Which page of one day's changes to show."""

    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
