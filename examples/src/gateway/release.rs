//! Releasing one data frame: consent per use, audit, FHIR Observations.

use iomt_auth::audit::subject_of;
use iomt_auth::rbac::{BreakGlassError, ConsentAccess, resolve_consent};
use iomt_core::{AccessRequest, ConsentTag, DataClass, DenyReason, evaluate};
use iomt_crypto::CryptoProvider;
use iomt_proto::Message;

use super::{BREAK_GLASS_TTL_SECS, ConnReport, Gateway, USES, now_ms, now_secs};
use crate::fhir::{self, Destination, Release};
use crate::sim::{BATCH, ECG_CAPACITY};

impl Gateway {
    /// Evaluates consent for every [`USES`] entry, enforces it through iomt-auth's
    /// `resolve_consent` (denials and break-glass grants are audited before anything is
    /// released) and builds the permitted Observations, each for the destination of its
    /// purpose. The tag's `Consent` goes to the consent registry once.
    pub(super) fn release<C: CryptoProvider>(
        &self,
        crypto: &mut C,
        report: &mut ConnReport,
        msg: &Message<'_, BATCH, ECG_CAPACITY>,
        _frame_seq: u32,
        tag: Option<&ConsentTag>,
    ) -> Vec<(Destination, serde_json::Value)> {
        let (device, patient) = match (&report.device, &report.patient) {
            (Some(d), Some(p)) => (d.clone(), p.clone()),
            _ => return Vec::new(),
        };
        let (class, measured) = match msg {
            Message::VitalBatch(b) => (
                DataClass::Vitals,
                b.readings().first().map(|r| r.timestamp()),
            ),
            Message::Waveform(w) => (DataClass::Waveforms, Some(w.first_sample())),
            _ => return Vec::new(),
        };
        let received = now_ms();
        if let Some(t) = measured {
            report.clock.observe(t, received);
        }
        let digest = match tag.map(|t| self.export.consent(crypto, t, &patient, received)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                report.error = Some(format!("FHIR consent: {e}"));
                None
            }
            None => None,
        };
        let mut out = Vec::new();
        let phase = usize::from(report.consent_updates_sent > 0 || report.consent_required_sent);
        for (ui, u) in USES.into_iter().enumerate() {
            let Some(tag) = tag else {
                // Default deny: data bound to no verified consent is released to nobody
                // (the tag's refusal or the withdrawal was audited once, not per frame).
                report.unconsented += 1;
                continue;
            };
            let now = now_secs();
            let req = AccessRequest {
                role: u.role,
                purpose: u.purpose,
                action: u.action,
                class,
                now,
                latest_revision: None,
            };
            let decision = evaluate(tag, &req);
            let subject = subject_of(crypto, u.name.as_bytes());
            let access = match self.audit.lock() {
                Ok(mut log) => resolve_consent(
                    crypto,
                    &mut log,
                    decision,
                    subject,
                    now,
                    BREAK_GLASS_TTL_SECS,
                ),
                Err(_) => Err(BreakGlassError::AuditUnavailable),
            };
            let break_glass = match access {
                Ok(ConsentAccess::Permit) => false,
                Ok(ConsentAccess::BreakGlass(_)) => {
                    report.break_glass += 1;
                    true
                }
                Err(e) => {
                    report.denials += 1;
                    if e == BreakGlassError::ConsentDenied(DenyReason::Expired) {
                        report.expired_denials += 1;
                    }
                    continue;
                }
            };
            let (Some(dest), Some(digest)) = (Destination::for_purpose(u.purpose), &digest) else {
                continue;
            };
            let subject = self.export.subject(crypto, dest, &device, &patient);
            let r = Release {
                subject: &subject,
                tag,
                consent_digest: digest,
                purpose: u.purpose,
                break_glass,
                clock: &report.clock,
            };
            let resources = match msg {
                Message::VitalBatch(b) => fhir::observation::batch(b.readings(), &r),
                Message::Waveform(w) => fhir::observation::ecg(w, &r).into_iter().collect(),
                _ => Vec::new(),
            };
            if !resources.is_empty()
                && let Some(n) = report.released.get_mut(phase).and_then(|p| p.get_mut(ui))
            {
                *n += 1;
            }
            out.extend(resources.into_iter().map(|o| (dest, o)));
        }
        out
    }
}
