"""The OpenAPI schema documents every answer the API gives, errors included.

drf-spectacular documents what a view declares; the shared exception handler (`core.api`) also answers,
for any list, 400 for an unknown or malformed filter and 404 for a page that does not exist, and for any
one object addressed by the URL, 404. Those answers are added to every such operation here, so the
committed schema and its fuzzing (schemathesis in `.ci/run`) agree with what the API really does.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .api import ErrorSerializer


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method != "GET":
            return responses
        extra = []
        if self._is_list_view():
            extra += ["400", "404"]  # a bad filter or unknown parameter; a page past the end
        if "{" in self.path:
            extra.append("404")  # no such object
        for code in extra:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses
