//! The interviews component's request and answer types.
//!
//! The bodies of `accept`, `refuse`, `cancel`, `room` (enter) and `room/admit` are
//! ignored by the handlers (`{}`): no request schema.

use super::{Schemas, Typed, add, add_page, t};

const C: Option<&str> = Some("Interview");
const CO: Option<&str> = Some("CompanyInterview");
const ROOM: Option<&str> = Some("InterviewRoom");
const SIGNALS: Option<&str> = Some("InterviewSignals");
const SIGNAL_IN: Option<&str> = Some("InterviewSignalRequest");
const WRITTEN: Option<&str> = Some("InterviewSignalWritten");

pub const TYPES: &[Typed] = &[
    t("GET", "/api/interviews", None, Some("InterviewPage")),
    t("GET", "/api/interviews/{interview}", None, C),
    t("POST", "/api/interviews/{interview}/accept", None, C),
    t("POST", "/api/interviews/{interview}/refuse", None, C),
    t("POST", "/api/interviews/{interview}/change", Some("InterviewChangeRequest"), C),
    t("GET", "/api/interviews/{interview}/room", None, ROOM),
    t("POST", "/api/interviews/{interview}/room", None, ROOM),
    t("GET", "/api/interviews/{interview}/room/signals", None, SIGNALS),
    t("POST", "/api/interviews/{interview}/room/signals", SIGNAL_IN, WRITTEN),
    t("GET", "/api/company/interviews", None, Some("CompanyInterviewPage")),
    t("POST", "/api/company/interviews", Some("InterviewInvitation"), CO),
    t("GET", "/api/company/interviews/{interview}", None, CO),
    t("POST", "/api/company/interviews/{interview}/reschedule", Some("InterviewNewDate"), CO),
    t("POST", "/api/company/interviews/{interview}/cancel", None, CO),
    t("GET", "/api/company/interviews/{interview}/room", None, ROOM),
    t("POST", "/api/company/interviews/{interview}/room", None, ROOM),
    t("POST", "/api/company/interviews/{interview}/room/admit", None, ROOM),
    t("GET", "/api/company/interviews/{interview}/room/signals", None, SIGNALS),
    t("POST", "/api/company/interviews/{interview}/room/signals", SIGNAL_IN, WRITTEN),
];

pub fn register(v: &mut Schemas) {
    use interviews::model::{ForCandidate, ForCompany};
    add_page::<ForCandidate>("InterviewPage", v);
    add_page::<ForCompany>("CompanyInterviewPage", v);
    add::<interviews::ChangeIn>(v);
    add::<interviews::InviteIn>(v);
    add::<interviews::DateIn>(v);
    add::<interviews::RoomOut>(v);
    add::<interviews::SignalsOut>(v);
    add::<interviews::SignalIn>(v);
    add::<interviews::SignalWritten>(v);
}
