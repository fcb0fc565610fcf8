//! Device operations (what RBAC authorizes) and which of them are privileged.
//!
//! Invariants: codes are stable; the privileged set is fixed here (change therapy, firmware
//! update, clear audit log, manage credentials) and needs "credential + operator factor" in
//! `iomt-auth`.

use crate::{Action, DataClass};

code_enum! {
    /// An operation a principal asks a device to perform.
    ///
    /// ```
    /// use iomt_core::Operation;
    /// assert!(Operation::FirmwareUpdate.is_privileged());
    /// assert!(!Operation::ReadVitals.is_privileged());
    /// ```
    pub enum Operation {
        /// Read numeric vital signs.
        ReadVitals = 0,
        /// Read waveforms (e.g. ECG).
        ReadWaveforms = 1,
        /// Change alarm limits or settings.
        ConfigureAlarms = 2,
        /// Change therapy (e.g. infusion rate, pacing parameters).
        ChangeTherapy = 3,
        /// Install firmware.
        FirmwareUpdate = 4,
        /// Read the audit log.
        ReadAuditLog = 5,
        /// Clear the audit log.
        ClearAuditLog = 6,
        /// Add, rotate or revoke credentials.
        ManageCredentials = 7,
    }
}

impl Operation {
    /// Whether the operation is privileged (needs an operator second factor).
    #[must_use]
    pub const fn is_privileged(self) -> bool {
        matches!(
            self,
            Self::ChangeTherapy
                | Self::FirmwareUpdate
                | Self::ClearAuditLog
                | Self::ManageCredentials
        )
    }

    /// The data class the operation touches (for consent evaluation).
    #[must_use]
    pub const fn data_class(self) -> DataClass {
        match self {
            Self::ReadVitals => DataClass::Vitals,
            Self::ReadWaveforms => DataClass::Waveforms,
            Self::ConfigureAlarms => DataClass::Alarms,
            Self::ChangeTherapy => DataClass::Therapy,
            Self::FirmwareUpdate | Self::ManageCredentials => DataClass::DeviceConfig,
            Self::ReadAuditLog | Self::ClearAuditLog => DataClass::AuditLog,
        }
    }

    /// The consent action the operation amounts to: reads are `Access`, changes are `Use`.
    #[must_use]
    pub const fn action(self) -> Action {
        match self {
            Self::ReadVitals | Self::ReadWaveforms | Self::ReadAuditLog => Action::Access,
            _ => Action::Use,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileged_set_is_exactly_the_four() {
        let privileged: heapless::Vec<Operation, 8> = Operation::ALL
            .iter()
            .copied()
            .filter(|o| o.is_privileged())
            .collect();
        assert_eq!(
            privileged.as_slice(),
            &[
                Operation::ChangeTherapy,
                Operation::FirmwareUpdate,
                Operation::ClearAuditLog,
                Operation::ManageCredentials
            ]
        );
    }
}
