//! Device measurement time → FHIR `effectiveDateTime`.
//!
//! The device stamps every reading (`Reading::timestamp`) and every ECG chunk
//! (`WaveformChunk::first_sample`) with its own clock, inside the authenticated payload; the
//! gateway never substitutes its arrival time. A `TimestampMs` means one of two things:
//!
//! - **≥ [`RTC_FLOOR_MS`] (2000-01-01T00:00:00Z): UTC from the device's real-time clock.**
//!   `effectiveDateTime` is that instant, unchanged ([`TimeSource::DeviceRtc`]). The gateway
//!   records how far its receipt time was from the device time for the session's first frame
//!   ([`SessionClock::rtc_lag_ms`]: latency plus clock error) but does not correct it.
//! - **< [`RTC_FLOOR_MS`]: milliseconds since the device powered up (a device without an
//!   RTC).** At the session's first such frame the gateway fixes one anchor,
//!   `anchor = gateway UTC at receipt − device uptime`, and maps every later uptime `t` of the
//!   session to `anchor + t` ([`TimeSource::GatewayAnchored`]). One anchor per session keeps
//!   the device's own spacing exactly (ECG chunks stay contiguous); the absolute error is the
//!   first frame's age at receipt (transport latency plus how long the device held it), always
//!   late, never early. A reconnect (new session) gets a new anchor.
//!
//! Every Observation names its source in `meta.tag` ([`crate::fhir::TIME_SOURCE_SYSTEM`]).

use iomt_core::TimestampMs;

/// Device times below this (2000-01-01T00:00:00Z in Unix milliseconds) are uptime, not UTC.
pub const RTC_FLOOR_MS: u64 = 946_684_800_000;

/// Where an `effectiveDateTime` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The device's real-time clock (UTC), as sent.
    DeviceRtc,
    /// Device uptime anchored to the gateway's clock at the session's first frame.
    GatewayAnchored,
}

impl TimeSource {
    /// The `meta.tag` code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::DeviceRtc => "device-rtc",
            Self::GatewayAnchored => "gateway-anchored-uptime",
        }
    }

    /// The `meta.tag` display.
    #[must_use]
    pub const fn display(self) -> &'static str {
        match self {
            Self::DeviceRtc => "device real-time clock (UTC) at measurement",
            Self::GatewayAnchored => {
                "device uptime at measurement + gateway UTC anchor fixed at the session's first frame"
            }
        }
    }
}

/// One session's mapping from device time to UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionClock {
    /// `gateway UTC − device uptime` at the first uptime-stamped frame (ms).
    pub anchor_ms: Option<u64>,
    /// `gateway UTC − device UTC` at the first RTC-stamped frame (ms; latency + clock error).
    pub rtc_lag_ms: Option<i64>,
}

impl SessionClock {
    /// Notes a frame measured at device time `device` and received at `gateway_ms` (Unix ms);
    /// only the session's first frame of each kind of time fixes anything.
    pub fn observe(&mut self, device: TimestampMs, gateway_ms: u64) {
        let t = device.as_millis();
        if t >= RTC_FLOOR_MS {
            if self.rtc_lag_ms.is_none() {
                let lag = i128::from(gateway_ms) - i128::from(t);
                self.rtc_lag_ms = i64::try_from(lag).ok();
            }
        } else if self.anchor_ms.is_none() {
            self.anchor_ms = Some(gateway_ms.saturating_sub(t));
        }
    }

    /// UTC (Unix ms) of device time `device` and its source; `None` for an uptime before any
    /// anchor was fixed (call [`Self::observe`] first).
    #[must_use]
    pub fn map(&self, device: TimestampMs) -> Option<(u64, TimeSource)> {
        let t = device.as_millis();
        if t >= RTC_FLOOR_MS {
            Some((t, TimeSource::DeviceRtc))
        } else {
            let utc = self.anchor_ms?.checked_add(t)?;
            Some((utc, TimeSource::GatewayAnchored))
        }
    }

    /// One line for the summary.
    #[must_use]
    pub fn describe(&self) -> String {
        match (self.anchor_ms, self.rtc_lag_ms) {
            (Some(a), _) => format!("uptime + {}", super::instant(a)),
            (None, Some(lag)) => format!("device RTC (lag {lag} ms)"),
            (None, None) => "-".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtc_time_is_kept_and_uptime_is_anchored_once() {
        let mut c = SessionClock::default();
        let rtc = TimestampMs::from_millis(1_800_000_000_000);
        c.observe(rtc, 1_800_000_000_007);
        assert_eq!(c.rtc_lag_ms, Some(7));
        assert_eq!(c.map(rtc), Some((1_800_000_000_000, TimeSource::DeviceRtc)));

        let up = TimestampMs::from_millis(3_600_000);
        assert_eq!(c.map(up), None, "no anchor yet");
        c.observe(up, 1_800_000_000_050);
        c.observe(TimestampMs::from_millis(3_600_100), 1_800_000_000_190); // late: ignored
        assert_eq!(c.anchor_ms, Some(1_800_000_000_050 - 3_600_000));
        let later = TimestampMs::from_millis(3_600_100);
        assert_eq!(
            c.map(later),
            Some((1_800_000_000_150, TimeSource::GatewayAnchored)),
            "spacing is the device's: exactly 100 ms after the anchor frame"
        );
    }
}
