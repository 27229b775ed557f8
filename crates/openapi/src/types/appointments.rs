//! The appointments component's request and answer types: kinds and availability,
//! bookings, "Contatta il CPI", the operators' desks, hours, exceptions, bookings,
//! messages and calendar feed, and the reminder job.
//!
//! Bodies the handlers do not read stay untyped (the pages send `{}`):
//! `POST /api/appointments/{appointment}/cancel`, the two `…/delete` of desks' hours and
//! exceptions, `POST /api/operator/appointments/feed`, `…/feed/revoke` and
//! `POST /jobs/appointments/remind`.

use super::{Schemas, Typed, add, add_as, add_page, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/appointments/kinds", None, Some("AppointmentKinds")),
    t("GET", "/api/appointments/availability", None, Some("AppointmentAvailability")),
    t("POST", "/api/appointments", Some("AppointmentBookIn"), Some("AppointmentForCitizen")),
    t("GET", "/api/appointments", None, Some("AppointmentPage")),
    t("GET", "/api/appointments/{appointment}", None, Some("AppointmentForCitizen")),
    t("POST", "/api/appointments/{appointment}/cancel", None, Some("AppointmentForCitizen")),
    t("GET", "/api/appointments/messages", None, Some("CpiMessages")),
    t("POST", "/api/appointments/messages", Some("CpiMessageIn"), Some("CpiMessage")),
    t("GET", "/api/operator/desks", None, Some("AppointmentDesks")),
    t("POST", "/api/operator/desks", Some("AppointmentDeskIn"), Some("AppointmentDeskFull")),
    t("POST", "/api/operator/desks/{desk}", Some("AppointmentDeskIn"), Some("AppointmentDeskFull")),
    t("POST", "/api/operator/desks/{desk}/hours", Some("DeskHoursIn"), Some("DeskHours")),
    t("POST", "/api/operator/desks/{desk}/hours/{hours}/delete", None, Some("DeskRowDeleted")),
    t("POST", "/api/operator/desks/{desk}/exceptions", Some("DeskExceptionIn"), Some("DeskException")),
    t("POST", "/api/operator/desks/{desk}/exceptions/{exception}/delete", None, Some("DeskRowDeleted")),
    t("GET", "/api/operator/appointments", None, Some("AppointmentsOfCpi")),
    t("POST", "/api/operator/appointments/{appointment}/cancel", Some("AppointmentCancelIn"), Some("AppointmentForOperator")),
    t("GET", "/api/operator/appointments/messages", None, Some("CpiMessagesForOperator")),
    t("POST", "/api/operator/appointments/messages/{message}/answer", Some("CpiMessageAnswerIn"), Some("CpiMessageForOperator")),
    t("GET", "/api/operator/appointments/feed", None, Some("CalendarFeedState")),
    t("POST", "/api/operator/appointments/feed", None, Some("CalendarFeedUrl")),
    t("POST", "/api/operator/appointments/feed/revoke", None, Some("CalendarFeedRevoked")),
    t("POST", "/jobs/appointments/remind", None, Some("AppointmentReminders")),
];

pub fn register(v: &mut Schemas) {
    use appointments::model;
    add_as::<appointments::Items<model::Kind>>("AppointmentKinds", v);
    add::<model::Kind>(v);
    add::<appointments::AvailabilityOut>(v);
    add::<appointments::BookIn>(v);
    add::<model::CitizenAppointment>(v);
    add_page::<model::CitizenAppointment>("AppointmentPage", v);
    add_as::<appointments::Items<model::MessageOut>>("CpiMessages", v);
    add::<appointments::MessageIn>(v);
    add::<model::MessageOut>(v);
    add::<appointments::DesksOut>(v);
    add::<appointments::DeskIn>(v);
    add::<appointments::HoursIn>(v);
    add::<appointments::ExceptionIn>(v);
    add::<appointments::Deleted>(v);
    add::<appointments::OperatorList>(v);
    add::<appointments::ReasonIn>(v);
    add::<model::OperatorAppointment>(v);
    add::<appointments::OperatorMessages>(v);
    add::<appointments::AnswerIn>(v);
    add::<model::OperatorMessage>(v);
    add::<appointments::FeedState>(v);
    add::<appointments::FeedUrl>(v);
    add::<appointments::FeedRevoked>(v);
    add::<appointments::Reminded>(v);
}
