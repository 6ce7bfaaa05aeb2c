"""The agencies' REST API (DRF): record submission, events, bulk import and the
restriction check. Views read input, call a service or selector, render. Errors:
`sanctions.kernel.api_errors`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanctions.agency import serializers as s
from sanctions.agency.api_auth import (
    ApiClientThrottle,
    ApiKeyAuthentication,
    CanReadRestrictions,
    CanWriteRecords,
    api_client_of,
)
from sanctions.agency.selectors import import_batch_of, record_of_authority
from sanctions.agency.services.imports import import_batch_create
from sanctions.agency.services.restrictions import restriction_check
from sanctions.agency.services.submissions import record_submit
from sanctions.kernel.api import error_responses
from sanctions.models import ApiSubmission
from sanctions.registry.services.records import record_event_report

IDENTIFIER_HEADER = "X-Subject-Identifier"
AGENCY_ERRORS = (400, 401, 403, 429)


class AgencyView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    throttle_classes = [ApiClientThrottle]


def _submission_body(submission: ApiSubmission, created: bool) -> dict:
    record, case = submission.record, submission.case
    return {
        "decision_number": submission.decision_number,
        "mode": "record" if record else "case",
        "record_id": record.pk if record else None,
        "record_status": record.status if record else None,
        "case_id": case.pk if case else None,
        "case_state": case.state if case else None,
        "created": created,
        "submitted_at": submission.created_at,
    }


class RecordSubmitApi(AgencyView):
    permission_classes = [CanWriteRecords]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="records_submit",
        summary="Submit a decision (idempotent on authority + decision number)",
        request=s.RecordSubmissionSerializer,
        responses={
            201: s.SubmissionResultSerializer,
            200: s.SubmissionResultSerializer,
            **error_responses(*AGENCY_ERRORS, 409),
        },
        tags=["agency"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RecordSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = record_submit(client=api_client_of(request), data=serializer.validated_data)
        return Response(
            _submission_body(result.submission, result.created),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class RecordEventApi(AgencyView):
    permission_classes = [CanWriteRecords]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="records_event",
        summary="Report what happened after a decision (performance, settlement, withdrawal, "
        "revocation)",
        description=(
            "Only for a record of the client's own authority (404 otherwise). A removing "
            "event takes the public entry down at once. Idempotent: the same event again "
            "answers 200 and changes nothing; an event on a removed record answers 409."
        ),
        request=s.RecordEventInputSerializer,
        responses={
            201: s.RecordEventResultSerializer,
            200: s.RecordEventResultSerializer,
            **error_responses(*AGENCY_ERRORS, 404, 409),
        },
        tags=["agency"],
    )
    def post(self, request: Request, record_id: str) -> Response:
        client = api_client_of(request)
        record = record_of_authority(record_id=int(record_id), authority=client.authority)
        if record is None:
            raise exceptions.NotFound(_("Your authority has no record with this id."))
        serializer = s.RecordEventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event, created = record_event_report(
            actor=client.user, record=record, source="api", **serializer.validated_data
        )
        event.record.refresh_from_db(fields=["status", "performance_status"])
        return Response(
            {
                "event_id": event.pk,
                "record_id": event.record_id,
                "kind": event.kind,
                "date": event.date,
                "amount_performed": event.amount_performed,
                "record_status": event.record.status,
                "performance_status": event.record.performance_status,
                "created": created,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ImportUploadApi(AgencyView):
    permission_classes = [CanWriteRecords]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="imports_upload",
        summary="Upload a CSV or JSON-lines file of decisions",
        description=(
            "Processed by a background task. 202 for a new file; 200 with the earlier batch "
            "when the same file was uploaded before (nothing is imported twice)."
        ),
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={
            202: s.ImportBatchSerializer,
            200: s.ImportBatchSerializer,
            **error_responses(*AGENCY_ERRORS),
        },  # fmt: skip
        tags=["agency"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        # the service checks the size (and reads no more of the upload than that needs)
        batch, created = import_batch_create(
            client=api_client_of(request), file_name=upload.name or "", content=upload
        )
        batch.refresh_from_db()
        return Response(
            s.ImportBatchSerializer(batch).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )


class ImportDetailApi(AgencyView):
    permission_classes = [CanWriteRecords]

    @extend_schema(
        operation_id="imports_retrieve",
        summary="A bulk import's status and per-row validation report",
        responses={200: s.ImportBatchSerializer, **error_responses(401, 403, 404, 429)},
        tags=["agency"],
    )
    def get(self, request: Request, pk: int) -> Response:
        # an authority's imports only; another authority's id is simply not found
        batch = import_batch_of(authority=api_client_of(request).authority, pk=pk)
        if batch is None:
            raise exceptions.NotFound()
        return Response(s.ImportBatchSerializer(batch).data)


class RestrictionCheckApi(AgencyView):
    permission_classes = [CanReadRestrictions]
    parser_classes = [JSONParser]

    def _answer(self, data) -> Response:
        # both variants: the same input serializer, then the same service
        serializer = s.RestrictionCheckInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        result = restriction_check(
            client=api_client_of(self.request),
            identifier=serializer.validated_data["identifier"],
            measure=serializer.validated_data["measure"],
        )
        return Response(result)

    @extend_schema(
        operation_id="restrictions_check",
        summary="Active restrictions of a subject (identifier in a header)",
        description=(
            f"The full identifier travels in the `{IDENTIFIER_HEADER}` header, never in the "
            "URL. Each check of a person is logged in the access log the person sees."
        ),
        parameters=[
            OpenApiParameter(
                IDENTIFIER_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Full resident ID number or unified social credit code.",
            ),
            OpenApiParameter(
                "measure",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="Only this restriction measure (code).",
            ),
        ],  # fmt: skip
        responses={200: s.RestrictionCheckSerializer, **error_responses(*AGENCY_ERRORS)},
        tags=["agency"],
    )
    def get(self, request: Request) -> Response:
        identifier = request.headers.get(IDENTIFIER_HEADER, "")
        if not identifier:
            raise exceptions.ValidationError(
                {IDENTIFIER_HEADER: [_("Send the full identifier in this header.")]}
            )
        return self._answer(
            {"identifier": identifier, "measure": request.query_params.get("measure", "")}
        )

    @extend_schema(
        operation_id="restrictions_check_body",
        summary="Active restrictions of a subject (identifier in the body)",
        request=s.RestrictionCheckInputSerializer,
        responses={200: s.RestrictionCheckSerializer, **error_responses(*AGENCY_ERRORS)},
        tags=["agency"],
    )
    def post(self, request: Request) -> Response:
        return self._answer(request.data)
