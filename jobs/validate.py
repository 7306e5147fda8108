"""Great Expectations gate: a stage's output is validated before it is committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pyspark.sql import DataFrame


@dataclass
class ValidationReport:
    suite: str
    success: bool
    evaluated: int
    failures: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "suite": self.suite,
            "success": self.success,
            "evaluated": self.evaluated,
            "failures": self.failures,
        }


class ValidationFailed(RuntimeError):
    """A stage output broke its expectation suite; it is not committed."""

    def __init__(self, stage: str, reports: list[ValidationReport]):
        self.stage = stage
        self.reports = reports
        lines = [f"{stage}: output failed its Great Expectations suite"]
        for report in reports:
            for failure in report.failures:
                lines.append(
                    f"  {report.suite}: {failure['expectation']} {failure['kwargs']} -> {failure['observed']}"
                )
        super().__init__("\n".join(lines))


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.ERROR)


def validate_dataframe(df: DataFrame, expectations: list[dict], suite_name: str) -> ValidationReport:
    """Run an expectation suite (GX type names + kwargs, as in a GX suite JSON) on a Spark DataFrame."""
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    _quiet_gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_spark(name="curate")
        .add_dataframe_asset(name=suite_name)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": df})
    )
    suite = ExpectationSuite(name=suite_name)
    for item in expectations:
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=item["type"], kwargs=item["kwargs"])
        )
    result = batch.validate(suite, result_format="SUMMARY")
    failures = []
    for check in result.results:
        if check.success:
            continue
        details = check.result or {}
        observed = details.get("observed_value")
        if observed is None and "unexpected_count" in details:
            observed = {
                "unexpected_count": details.get("unexpected_count"),
                "partial_unexpected_list": [
                    str(v)[:80] for v in (details.get("partial_unexpected_list") or [])[:5]
                ],
            }
        if observed is None and check.exception_info and check.exception_info.get("raised_exception"):
            observed = {"exception": str(check.exception_info.get("exception_message"))[:300]}
        failures.append(
            {
                "expectation": check.expectation_config.type,
                "kwargs": {k: v for k, v in check.expectation_config.kwargs.items() if k != "batch_id"},
                "observed": observed,
            }
        )
    return ValidationReport(
        suite=suite_name, success=not failures, evaluated=len(result.results), failures=failures
    )
