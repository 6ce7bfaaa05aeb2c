"""Citizens' own data over the API (session auth, GET only): my record, my score."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from citizens.selectors import citizen_records
from sanctions.agency.api_auth import IsCitizen
from sanctions.kernel.api import ErrorSerializer
from sanctions.scoring.selectors import score_explain


class MyRecordItemSerializer(serializers.Serializer):
    """One of the citizen's records, read from the record itself."""

    id = serializers.IntegerField()
    record_type = serializers.CharField(source="record_type.code")
    record_type_title = serializers.CharField(source="record_type.title")
    domain = serializers.CharField(source="record_type.domain")
    authority = serializers.CharField(source="authority.name")
    decision_number = serializers.CharField()
    decision_date = serializers.DateField()
    legal_basis = serializers.CharField()
    obligation = serializers.CharField(allow_blank=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    performance_status = serializers.CharField()
    status = serializers.CharField()
    judicial_ground = serializers.IntegerField(allow_null=True)
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(allow_null=True)
    publication_start = serializers.DateField(allow_null=True)
    publication_end = serializers.DateField(allow_null=True)


class MyRecordSerializer(serializers.Serializer):
    name = serializers.CharField()
    masked_id = serializers.CharField()
    records = MyRecordItemSerializer(many=True)


class ScoreRecordSerializer(serializers.Serializer):
    record_id = serializers.IntegerField()
    type_code = serializers.CharField()
    type_title = serializers.CharField()
    domain = serializers.CharField()
    points = serializers.IntegerField()
    legal_basis = serializers.CharField()
    decision_number = serializers.CharField()
    decision_date = serializers.DateField()
    counts_until = serializers.DateField(allow_null=True)
    authority = serializers.CharField()


class MyScoreSerializer(serializers.Serializer):
    rule_version = serializers.IntegerField()
    as_of = serializers.DateField()
    base = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True, help_text="Null for minors (no score).")
    grade = serializers.CharField(allow_null=True)
    minor = serializers.BooleanField()
    by_domain = serializers.DictField(child=serializers.IntegerField())
    records = ScoreRecordSerializer(many=True)


CITIZEN_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not logged in"),
    403: OpenApiResponse(ErrorSerializer, description="Not a citizen account"),
}


class CitizenView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsCitizen]
    throttle_classes: list = []


class MyRecordApi(CitizenView):
    @extend_schema(
        operation_id="me_record",
        summary="My record: every decision about me",
        responses={200: MyRecordSerializer, **CITIZEN_ERRORS},
        tags=["citizen"],
    )
    def get(self, request: Request) -> Response:
        citizen = request.user.citizen
        records = (
            citizen_records(request.user)
            .filter(subject_id=citizen.subject_id)  # the person's own; enterprises have pages
            .select_related("record_type", "authority")
            .order_by("-decision_date", "-id")
        )
        body = {
            "name": citizen.name,
            "masked_id": citizen.subject.masked_identifier,
            "records": records,
        }
        return Response(MyRecordSerializer(body).data)


class MyScoreApi(CitizenView):
    @extend_schema(
        operation_id="me_score",
        summary="My score and the records that make it up",
        responses={200: MyScoreSerializer, **CITIZEN_ERRORS},
        tags=["citizen"],
    )
    def get(self, request: Request) -> Response:
        explanation = score_explain(subject=request.user.citizen.subject)
        return Response(MyScoreSerializer(explanation).data)
