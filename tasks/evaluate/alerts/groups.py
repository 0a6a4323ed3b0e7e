"""Alertmanager's group_by: findings that share the grouping labels are one alert."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from trendline.indicators.base import SEVERITIES, Finding


@dataclass
class Group:
    fingerprint: str
    labels: dict[str, str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def firing(self) -> bool:
        return any(not f.holding for f in self.findings)

    @property
    def lead(self) -> list[Finding]:
        return [f for f in self.findings if not f.holding] or self.findings

    @property
    def severity(self) -> str:
        return max((f.severity for f in self.lead), key=SEVERITIES.index)

    @property
    def for_evaluations(self) -> int:
        return max(f.for_evaluations for f in self.findings)

    def members(self) -> set[str]:
        return {m for f in self.findings for m in f.member_ids()}

    def evidence(self) -> list[dict]:
        seen, out = set(), []
        for f in self.findings:
            for e in f.evidence:
                key = e.get("id", id(e))
                if key not in seen:
                    seen.add(key)
                    out.append(e)
        return out


def alert_id(fingerprint: str) -> str:
    return hashlib.sha1(fingerprint.encode()).hexdigest()[:12]


def group(findings: list[Finding], group_by: list[str]) -> dict[str, Group]:
    """Alertmanager's group_by over the labels indicator, rule, period, subject, severity.
    The indicator is always a label: an alert belongs to one indicator."""
    keys = ["indicator", *(k for k in group_by if k != "indicator")]
    groups: dict[str, Group] = {}
    for f in findings:
        labels = {"indicator": f.indicator_id, "rule": f.rule, "period": f.period,
                  "subject": f.subject, "severity": f.severity}
        fp = "|".join(labels[k] for k in keys)
        g = groups.setdefault(fp, Group(fp, {}))
        g.findings.append(f)
    for g in groups.values():
        for label in ("rule", "period", "subject"):
            values = {getattr(f, label) for f in g.findings}
            g.labels[label] = values.pop() if len(values) == 1 else "*"
        g.labels["indicator"] = g.findings[0].indicator_id
    return groups
