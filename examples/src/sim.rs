//! Simulated patients: physiologically plausible vital signs and a synthetic ECG.
//!
//! Each patient has a baseline drawn from a seeded PRNG (xorshift; deterministic per
//! seed) and drifts slowly around it (bounded random walk). Values stay inside adult
//! resting ranges — HR 55–100 /min, SpO2 93–100 %, temperature 36.1–37.8 °C, RR 10–22
//! /min, NIBP systolic 100–145 / diastolic 60–90 `mm[Hg]` (mean = DIA + (SYS − DIA)/3) —
//! and always inside iomt-core's plausibility ranges, so `Reading::new` accepts them.
//! The ECG is a sum of Gaussian P, Q, R, S and T waves at the current heart rate
//! (lead II, 250 Hz, 5 µV per LSB).
//!
//! Values keep the device's resolution: [`decimals`] fixes the decimal exponent per kind
//! (temperature 0.1 °C, the rest whole units) and values are built with
//! `Float::from_parts`, so 37.0 °C goes out as mantissa 370, exponent −1 — never the
//! normalized 37 × 10⁰, which would claim 1 °C resolution.
//!
//! Time comes from the device's own [`DeviceClock`]: a crystal tick counter started at power
//! up, read either as UTC (a device with a real-time clock) or as uptime (without one; see
//! `fhir::clock` for what the gateway does with it).

use iomt_core::{
    CoreError, EcgLead, Float, Reading, SFloat, TimestampMs, Unit, VitalBatch, VitalKind,
    WaveformChunk,
};

/// Readings per [`VitalBatch`] in the demo.
pub const BATCH: usize = 8;
/// Samples per ECG [`WaveformChunk`] in the demo (capacity).
pub const ECG_CAPACITY: usize = 64;
/// ECG sample rate.
pub const ECG_RATE_HZ: u16 = 250;

/// Decimal places the simulated devices report per kind (their resolution).
#[must_use]
pub const fn decimals(kind: VitalKind) -> u8 {
    match kind {
        VitalKind::BodyTemperature | VitalKind::BodyWeight => 1,
        _ => 0,
    }
}

/// A simulated device's clock: a tick counter from power-up, read as UTC (with an RTC) or as
/// milliseconds since power-up (without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceClock {
    /// Device time at the start of streaming (ms): UTC, or uptime.
    pub origin_ms: u64,
    /// Whether the device has a real-time clock (UTC) or only uptime.
    pub rtc: bool,
}

impl DeviceClock {
    /// The clock of demo device `index` started at host time `utc_ms`: every fourth device
    /// (index 1, 5, 9, …) has no RTC and has been up for `index` minutes plus one hour.
    #[must_use]
    pub fn for_device(index: crate::creds::DeviceIndex, utc_ms: u64) -> Self {
        if index % 4 == 1 {
            Self {
                origin_ms: 3_600_000 + u64::from(index) * 60_000,
                rtc: false,
            }
        } else {
            Self {
                origin_ms: utc_ms,
                rtc: true,
            }
        }
    }

    /// Device time `ticks` × `tick` after the origin (its own oscillator; no wall clock).
    #[must_use]
    pub fn at(&self, ticks: u64, tick: core::time::Duration) -> TimestampMs {
        let ms = u64::try_from(tick.as_millis()).unwrap_or(u64::MAX);
        TimestampMs::from_millis(self.origin_ms.saturating_add(ticks.saturating_mul(ms)))
    }
}

/// A tiny deterministic PRNG (xorshift64*); not for cryptography.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// Seeds the generator (0 is replaced by a constant).
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub const fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// One patient's physiology.
#[derive(Debug, Clone)]
pub struct Patient {
    rng: XorShift,
    hr: f64,
    spo2: f64,
    temp: f64,
    rr: f64,
    sys: f64,
    dia: f64,
    seq: u32,
    ecg_phase: f64,
}

fn walk(rng: &mut XorShift, v: f64, step: f64, lo: f64, hi: f64) -> f64 {
    (v + rng.range(-step, step)).clamp(lo, hi)
}

/// `value` rounded to `decimals` as an IEEE 11073 FLOAT with exponent `-decimals` (kept, not
/// normalized: the exponent is the resolution).
fn float(value: f64, decimals: u8) -> Result<Float, CoreError> {
    let scale = 10f64.powi(i32::from(decimals));
    #[expect(
        clippy::cast_possible_truncation,
        reason = "vital values are small; rounded on purpose"
    )]
    let mantissa = (value * scale).round() as i32;
    let exponent = -i8::try_from(decimals).map_err(|_| CoreError::NotRepresentable)?;
    Float::from_parts(mantissa, exponent)
}

impl Patient {
    /// A patient with a baseline drawn from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut rng = XorShift::new(seed);
        let sys = rng.range(110.0, 135.0);
        Self {
            hr: rng.range(62.0, 88.0),
            spo2: rng.range(95.0, 99.0),
            temp: rng.range(36.4, 37.2),
            rr: rng.range(12.0, 18.0),
            dia: rng.range(65.0, 82.0).min(sys - 30.0),
            sys,
            rng,
            seq: 0,
            ecg_phase: 0.0,
        }
    }

    fn reading(
        &mut self,
        kind: VitalKind,
        value: f64,
        unit: Unit,
        at: TimestampMs,
    ) -> Result<Reading, CoreError> {
        self.seq = self.seq.wrapping_add(1);
        Reading::new(kind, float(value, decimals(kind))?, unit, at, self.seq)
    }

    /// The next batch of numerics at `at`: HR, SpO2, pulse rate, RR and temperature, plus
    /// NIBP systolic/diastolic/mean when `with_nibp` (a cuff cycle).
    ///
    /// # Errors
    /// [`CoreError`] if a value were implausible (a bug: the walk is bounded).
    pub fn vitals(
        &mut self,
        at: TimestampMs,
        with_nibp: bool,
    ) -> Result<VitalBatch<BATCH>, CoreError> {
        let r = &mut self.rng;
        self.hr = walk(r, self.hr, 1.5, 55.0, 100.0);
        self.spo2 = walk(r, self.spo2, 0.4, 93.0, 100.0);
        self.temp = walk(r, self.temp, 0.02, 36.1, 37.8);
        self.rr = walk(r, self.rr, 0.5, 10.0, 22.0);
        let mut b = VitalBatch::new();
        let (hr, spo2, temp, rr) = (self.hr, self.spo2, self.temp, self.rr);
        let pulse = hr + self.rng.range(-1.0, 1.0);
        for (kind, value, unit) in [
            (VitalKind::HeartRate, hr, Unit::BeatsPerMinute),
            (VitalKind::SpO2, spo2, Unit::Percent),
            (VitalKind::PulseRateOximeter, pulse, Unit::BeatsPerMinute),
            (VitalKind::RespirationRate, rr, Unit::BreathsPerMinute),
            (VitalKind::BodyTemperature, temp, Unit::DegreeCelsius),
        ] {
            b.push(self.reading(kind, value, unit, at)?)?;
        }
        if with_nibp {
            let r = &mut self.rng;
            self.sys = walk(r, self.sys, 3.0, 100.0, 145.0);
            self.dia = walk(r, self.dia, 2.0, 60.0, 90.0).min(self.sys - 25.0);
            let (sys, dia) = (self.sys.round(), self.dia.round());
            let mean = dia + (sys - dia) / 3.0;
            let mmhg = Unit::MillimetreOfMercury;
            b.push(self.reading(VitalKind::NibpSystolic, sys, mmhg, at)?)?;
            b.push(self.reading(VitalKind::NibpDiastolic, dia, mmhg, at)?)?;
            b.push(self.reading(VitalKind::NibpMean, mean, mmhg, at)?)?;
        }
        Ok(b)
    }

    /// `samples` ECG samples (lead II, 250 Hz, 5 µV/LSB) starting at `at`.
    ///
    /// # Errors
    /// [`CoreError::CapacityExceeded`] for more than [`ECG_CAPACITY`] samples.
    pub fn ecg(
        &mut self,
        at: TimestampMs,
        samples: usize,
    ) -> Result<WaveformChunk<ECG_CAPACITY>, CoreError> {
        let factor = SFloat::from_decimal(5, -3)?; // 0.005 mV per LSB
        let mut chunk = WaveformChunk::new(EcgLead::II, ECG_RATE_HZ, Unit::MilliVolt, factor, at)?;
        let beat_s = 60.0 / self.hr;
        let dt = 1.0 / f64::from(ECG_RATE_HZ);
        for _ in 0..samples {
            let t = self.ecg_phase / beat_s; // 0..1 within the beat
            let g = |c: f64, w: f64, a: f64| a * (-((t - c) / w).powi(2) / 2.0).exp();
            let mv = g(0.18, 0.025, 0.15) - g(0.37, 0.008, 0.12) + g(0.40, 0.01, 1.2)
                - g(0.43, 0.008, 0.25)
                + g(0.70, 0.04, 0.3)
                + self.rng.range(-0.01, 0.01);
            #[expect(
                clippy::cast_possible_truncation,
                reason = "|mv| < 2 mV: fits i16 at 5 µV/LSB"
            )]
            chunk.push((mv / 0.005).round() as i16)?;
            self.ecg_phase = (self.ecg_phase + dt) % beat_s;
        }
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_the_device_resolution() {
        let mut saw_whole_temperature = false;
        for seed in 1..40 {
            let mut p = Patient::new(seed);
            for i in 0..200u64 {
                let b = p.vitals(TimestampMs::from_millis(i), true).unwrap();
                for r in b.readings() {
                    let (m, e) = r.value().to_decimal().unwrap();
                    assert_eq!(e, -i8::try_from(decimals(r.kind())).unwrap(), "{r:?}");
                    saw_whole_temperature |= r.kind() == VitalKind::BodyTemperature && m % 10 == 0;
                }
            }
        }
        assert!(
            saw_whole_temperature,
            "37.0-like values occur and keep exponent -1"
        );
        assert_eq!(float(37.0, 1).unwrap().to_decimal(), Some((370, -1)));
    }

    #[test]
    fn device_clocks_tick_exactly() {
        let tick = core::time::Duration::from_millis(100);
        let rtc = DeviceClock::for_device(0, 1_800_000_000_000);
        assert!(rtc.rtc);
        assert_eq!(rtc.at(3, tick).as_millis(), 1_800_000_000_300);
        let up = DeviceClock::for_device(1, 1_800_000_000_000);
        assert!(!up.rtc);
        assert_eq!(up.at(10, tick).as_millis(), 3_660_000 + 1000);
    }

    #[test]
    fn a_long_run_stays_plausible() {
        for seed in 1..20 {
            let mut p = Patient::new(seed);
            let mut peak = i16::MIN;
            for i in 0..2000u64 {
                let b = p
                    .vitals(TimestampMs::from_millis(1_800_000_000_000 + i), i % 4 == 0)
                    .unwrap();
                assert!(b.len() >= 5);
                let c = p
                    .ecg(TimestampMs::from_millis(1_800_000_000_000 + i), 50)
                    .unwrap();
                peak = peak.max(c.samples().iter().copied().max().unwrap());
            }
            assert!(peak > 150, "R peaks present: {peak}");
        }
    }
}
