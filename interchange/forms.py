"""What the open data service reads from a request."""

from django import forms

# The CFDocument fields a list may be sorted by: those that are single strings.
SORTABLE = (
    "identifier",
    "uri",
    "creator",
    "title",
    "lastChangeDateTime",
    "officialSourceURL",
    "publisher",
    "description",
    "language",
    "version",
    "adoptionStatus",
)


class DocumentListQuery(forms.Form):
    """The query of ``/CFDocuments``: the binding's paging and sorting. Its filtering and
    field selection are not offered, and asking for them is refused rather than ignored."""

    limit = forms.IntegerField(min_value=1, required=False)
    offset = forms.IntegerField(min_value=0, required=False)
    sort = forms.ChoiceField(choices=[(name, name) for name in SORTABLE], required=False)
    orderBy = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)
    filter = forms.CharField(required=False, strip=False)
    fields = forms.CharField(required=False, strip=False)

    def clean_filter(self):
        return self._not_offered("filter")

    def clean_fields(self):
        return self._not_offered("fields")

    def _not_offered(self, name: str) -> str:
        if self.cleaned_data[name]:
            raise forms.ValidationError(f"This service does not offer “{name}”.")
        return ""
