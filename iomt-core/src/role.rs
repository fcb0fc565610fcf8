//! Roles of principals (people, devices, services) and the [`RoleSet`] bitset.
//!
//! Invariants: codes are stable wire values and bit positions in [`RoleSet`] (a `u16`); unknown
//! codes and bits are rejected on decode.

code_enum! {
    /// A role a principal acts in. Trust stores assign roles; RBAC and consent evaluation read them.
    ///
    /// ```
    /// use iomt_core::{Role, RoleSet};
    /// let staff = RoleSet::EMPTY.with(Role::Clinician).with(Role::Nurse);
    /// assert!(staff.contains(Role::Nurse));
    /// assert_eq!(Role::from_code(6)?, Role::Emergency);
    /// # Ok::<(), iomt_core::CoreError>(())
    /// ```
    pub enum Role {
        /// The patient the data is about.
        Patient = 0,
        /// A physician or other licensed clinician.
        Clinician = 1,
        /// A nurse.
        Nurse = 2,
        /// A biomedical / clinical engineering technician.
        Technician = 3,
        /// A researcher.
        Researcher = 4,
        /// An IT or device-fleet administrator.
        Administrator = 5,
        /// Emergency responder / emergency department staff.
        Emergency = 6,
        /// A medical device (peer device).
        Device = 7,
        /// A gateway or integration service.
        Gateway = 8,
    }
}

impl Role {
    /// Whether this role may invoke break-glass access (a human who treats patients:
    /// clinician, nurse, emergency). Others never receive a break-glass grant.
    #[must_use]
    pub const fn may_break_glass(self) -> bool {
        matches!(self, Self::Clinician | Self::Nurse | Self::Emergency)
    }
}

bitset! {
    /// A set of [`Role`]s; bit `n` is the role with code `n` (stable wire contract).
    pub struct RoleSet(u16) of Role;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    #[test]
    fn codes_and_bits() {
        assert_eq!(RoleSet::ALL.bits(), 0x01FF);
        assert_eq!(RoleSet::from_bits(0x0200), Err(CoreError::UnknownBits));
        for (i, r) in Role::ALL.iter().enumerate() {
            assert_eq!(usize::from(r.code()), i);
            assert_eq!(Role::from_code(r.code()), Ok(*r));
        }
        assert_eq!(Role::from_code(9), Err(CoreError::InvalidCode));
    }
}
