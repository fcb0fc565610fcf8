//! Named codes for C callers, generated from `iomt-core`'s enums (the one source of
//! these codes) by `iomt-ffi/tests/c_api/codes.rs`; do not edit. Regenerate with
//! `IOMT_REGENERATE_DOCS=1 cargo test -p iomt-ffi --test c_api codes`, then
//! `cargo xtask header`. A bit set (`roles`, `purposes`, …) has bit `n` set for the
//! element with code `n`: `1u << IOMT_ROLE_NURSE`.

// `iomt_core::Role`
/// `iomt_core::Role::Patient`.
pub const IOMT_ROLE_PATIENT: u8 = 0;
/// `iomt_core::Role::Clinician`.
pub const IOMT_ROLE_CLINICIAN: u8 = 1;
/// `iomt_core::Role::Nurse`.
pub const IOMT_ROLE_NURSE: u8 = 2;
/// `iomt_core::Role::Technician`.
pub const IOMT_ROLE_TECHNICIAN: u8 = 3;
/// `iomt_core::Role::Researcher`.
pub const IOMT_ROLE_RESEARCHER: u8 = 4;
/// `iomt_core::Role::Administrator`.
pub const IOMT_ROLE_ADMINISTRATOR: u8 = 5;
/// `iomt_core::Role::Emergency`.
pub const IOMT_ROLE_EMERGENCY: u8 = 6;
/// `iomt_core::Role::Device`.
pub const IOMT_ROLE_DEVICE: u8 = 7;
/// `iomt_core::Role::Gateway`.
pub const IOMT_ROLE_GATEWAY: u8 = 8;

// `iomt_core::Operation`
/// `iomt_core::Operation::ReadVitals`.
pub const IOMT_OPERATION_READ_VITALS: u8 = 0;
/// `iomt_core::Operation::ReadWaveforms`.
pub const IOMT_OPERATION_READ_WAVEFORMS: u8 = 1;
/// `iomt_core::Operation::ConfigureAlarms`.
pub const IOMT_OPERATION_CONFIGURE_ALARMS: u8 = 2;
/// `iomt_core::Operation::ChangeTherapy`.
pub const IOMT_OPERATION_CHANGE_THERAPY: u8 = 3;
/// `iomt_core::Operation::FirmwareUpdate`.
pub const IOMT_OPERATION_FIRMWARE_UPDATE: u8 = 4;
/// `iomt_core::Operation::ReadAuditLog`.
pub const IOMT_OPERATION_READ_AUDIT_LOG: u8 = 5;
/// `iomt_core::Operation::ClearAuditLog`.
pub const IOMT_OPERATION_CLEAR_AUDIT_LOG: u8 = 6;
/// `iomt_core::Operation::ManageCredentials`.
pub const IOMT_OPERATION_MANAGE_CREDENTIALS: u8 = 7;

// `iomt_core::Purpose`
/// `iomt_core::Purpose::Treatment`.
pub const IOMT_PURPOSE_TREATMENT: u8 = 0;
/// `iomt_core::Purpose::EmergencyTreatment`.
pub const IOMT_PURPOSE_EMERGENCY_TREATMENT: u8 = 1;
/// `iomt_core::Purpose::BreakTheGlass`.
pub const IOMT_PURPOSE_BREAK_THE_GLASS: u8 = 2;
/// `iomt_core::Purpose::Payment`.
pub const IOMT_PURPOSE_PAYMENT: u8 = 3;
/// `iomt_core::Purpose::Operations`.
pub const IOMT_PURPOSE_OPERATIONS: u8 = 4;
/// `iomt_core::Purpose::Research`.
pub const IOMT_PURPOSE_RESEARCH: u8 = 5;
/// `iomt_core::Purpose::PublicHealth`.
pub const IOMT_PURPOSE_PUBLIC_HEALTH: u8 = 6;
/// `iomt_core::Purpose::PatientRequested`.
pub const IOMT_PURPOSE_PATIENT_REQUESTED: u8 = 7;
/// `iomt_core::Purpose::CareManagement`.
pub const IOMT_PURPOSE_CARE_MANAGEMENT: u8 = 8;
/// `iomt_core::Purpose::CoordinationOfCare`.
pub const IOMT_PURPOSE_COORDINATION_OF_CARE: u8 = 9;
/// `iomt_core::Purpose::ClinicalTrialResearch`.
pub const IOMT_PURPOSE_CLINICAL_TRIAL_RESEARCH: u8 = 10;
/// `iomt_core::Purpose::QualityImprovement`.
pub const IOMT_PURPOSE_QUALITY_IMPROVEMENT: u8 = 11;
/// `iomt_core::Purpose::PatientSafety`.
pub const IOMT_PURPOSE_PATIENT_SAFETY: u8 = 12;
/// `iomt_core::Purpose::SystemAdministration`.
pub const IOMT_PURPOSE_SYSTEM_ADMINISTRATION: u8 = 13;
/// `iomt_core::Purpose::FamilyRequested`.
pub const IOMT_PURPOSE_FAMILY_REQUESTED: u8 = 14;
/// `iomt_core::Purpose::PowerOfAttorney`.
pub const IOMT_PURPOSE_POWER_OF_ATTORNEY: u8 = 15;
/// `iomt_core::Purpose::Legal`.
pub const IOMT_PURPOSE_LEGAL: u8 = 16;
/// `iomt_core::Purpose::Directory`.
pub const IOMT_PURPOSE_DIRECTORY: u8 = 17;
/// `iomt_core::Purpose::Marketing`.
pub const IOMT_PURPOSE_MARKETING: u8 = 18;
/// `iomt_core::Purpose::Training`.
pub const IOMT_PURPOSE_TRAINING: u8 = 19;
/// `iomt_core::Purpose::Test`.
pub const IOMT_PURPOSE_TEST: u8 = 20;

// `iomt_core::Action`
/// `iomt_core::Action::Collect`.
pub const IOMT_ACTION_COLLECT: u8 = 0;
/// `iomt_core::Action::Access`.
pub const IOMT_ACTION_ACCESS: u8 = 1;
/// `iomt_core::Action::Use`.
pub const IOMT_ACTION_USE: u8 = 2;
/// `iomt_core::Action::Disclose`.
pub const IOMT_ACTION_DISCLOSE: u8 = 3;

// `iomt_core::DataClass`
/// `iomt_core::DataClass::Vitals`.
pub const IOMT_DATA_CLASS_VITALS: u8 = 0;
/// `iomt_core::DataClass::Waveforms`.
pub const IOMT_DATA_CLASS_WAVEFORMS: u8 = 1;
/// `iomt_core::DataClass::Alarms`.
pub const IOMT_DATA_CLASS_ALARMS: u8 = 2;
/// `iomt_core::DataClass::DeviceConfig`.
pub const IOMT_DATA_CLASS_DEVICE_CONFIG: u8 = 3;
/// `iomt_core::DataClass::Therapy`.
pub const IOMT_DATA_CLASS_THERAPY: u8 = 4;
/// `iomt_core::DataClass::AuditLog`.
pub const IOMT_DATA_CLASS_AUDIT_LOG: u8 = 5;

// `iomt_core::Confidentiality`
/// `iomt_core::Confidentiality::Unrestricted`.
pub const IOMT_CONFIDENTIALITY_UNRESTRICTED: u8 = 0;
/// `iomt_core::Confidentiality::Low`.
pub const IOMT_CONFIDENTIALITY_LOW: u8 = 1;
/// `iomt_core::Confidentiality::Moderate`.
pub const IOMT_CONFIDENTIALITY_MODERATE: u8 = 2;
/// `iomt_core::Confidentiality::Normal`.
pub const IOMT_CONFIDENTIALITY_NORMAL: u8 = 3;
/// `iomt_core::Confidentiality::Restricted`.
pub const IOMT_CONFIDENTIALITY_RESTRICTED: u8 = 4;
/// `iomt_core::Confidentiality::VeryRestricted`.
pub const IOMT_CONFIDENTIALITY_VERY_RESTRICTED: u8 = 5;

// `iomt_core::VitalKind`
/// `iomt_core::VitalKind::HeartRate`: Heart rate (ECG) (MDC_ECG_HEART_RATE).
pub const IOMT_VITAL_KIND_HEART_RATE: u8 = 0;
/// `iomt_core::VitalKind::PulseRateOximeter`: Pulse rate by pulse oximetry (MDC_PULS_OXIM_PULS_RATE).
pub const IOMT_VITAL_KIND_PULSE_RATE_OXIMETER: u8 = 1;
/// `iomt_core::VitalKind::SpO2`: SpO2, oxygen saturation by pulse oximetry (MDC_PULS_OXIM_SAT_O2).
pub const IOMT_VITAL_KIND_SPO2: u8 = 2;
/// `iomt_core::VitalKind::BodyTemperature`: Body temperature, site unspecified (MDC_TEMP_BODY).
pub const IOMT_VITAL_KIND_BODY_TEMPERATURE: u8 = 3;
/// `iomt_core::VitalKind::NibpSystolic`: NIBP systolic (MDC_PRESS_BLD_NONINV_SYS).
pub const IOMT_VITAL_KIND_NIBP_SYSTOLIC: u8 = 4;
/// `iomt_core::VitalKind::NibpDiastolic`: NIBP diastolic (MDC_PRESS_BLD_NONINV_DIA).
pub const IOMT_VITAL_KIND_NIBP_DIASTOLIC: u8 = 5;
/// `iomt_core::VitalKind::NibpMean`: NIBP mean arterial pressure (MDC_PRESS_BLD_NONINV_MEAN).
pub const IOMT_VITAL_KIND_NIBP_MEAN: u8 = 6;
/// `iomt_core::VitalKind::RespirationRate`: Respiration rate, method unspecified (MDC_RESP_RATE).
pub const IOMT_VITAL_KIND_RESPIRATION_RATE: u8 = 7;
/// `iomt_core::VitalKind::CapillaryBloodGlucose`: Glucose, capillary whole blood (glucometer) (MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD).
pub const IOMT_VITAL_KIND_CAPILLARY_BLOOD_GLUCOSE: u8 = 8;
/// `iomt_core::VitalKind::BodyWeight`: Body weight (MDC_MASS_BODY_ACTUAL).
pub const IOMT_VITAL_KIND_BODY_WEIGHT: u8 = 9;

// `iomt_core::Unit`
/// `iomt_core::Unit::Percent`: percent (MDC_DIM_PERCENT), UCUM `%`.
pub const IOMT_UNIT_PERCENT: u8 = 0;
/// `iomt_core::Unit::BeatsPerMinute`: beats per minute (MDC_DIM_BEAT_PER_MIN), UCUM `/min`.
pub const IOMT_UNIT_BEATS_PER_MINUTE: u8 = 1;
/// `iomt_core::Unit::BreathsPerMinute`: respirations per minute (MDC_DIM_RESP_PER_MIN), UCUM `/min`.
pub const IOMT_UNIT_BREATHS_PER_MINUTE: u8 = 2;
/// `iomt_core::Unit::DegreeCelsius`: degree Celsius (MDC_DIM_DEGC), UCUM `Cel`.
pub const IOMT_UNIT_DEGREE_CELSIUS: u8 = 3;
/// `iomt_core::Unit::DegreeFahrenheit`: degree Fahrenheit (MDC_DIM_FAHR), UCUM `[degF]`.
pub const IOMT_UNIT_DEGREE_FAHRENHEIT: u8 = 4;
/// `iomt_core::Unit::MillimetreOfMercury`: millimetre of mercury (MDC_DIM_MMHG), UCUM `mm[Hg]`.
pub const IOMT_UNIT_MILLIMETRE_OF_MERCURY: u8 = 5;
/// `iomt_core::Unit::KiloPascal`: kilopascal (MDC_DIM_KILO_PASCAL), UCUM `kPa`.
pub const IOMT_UNIT_KILO_PASCAL: u8 = 6;
/// `iomt_core::Unit::MilligramPerDecilitre`: milligram per decilitre (MDC_DIM_MILLI_G_PER_DL), UCUM `mg/dL`.
pub const IOMT_UNIT_MILLIGRAM_PER_DECILITRE: u8 = 7;
/// `iomt_core::Unit::MillimolePerLitre`: millimole per litre (MDC_DIM_MILLI_MOLE_PER_L), UCUM `mmol/L`.
pub const IOMT_UNIT_MILLIMOLE_PER_LITRE: u8 = 8;
/// `iomt_core::Unit::Kilogram`: kilogram (MDC_DIM_KILO_G), UCUM `kg`.
pub const IOMT_UNIT_KILOGRAM: u8 = 9;
/// `iomt_core::Unit::MilliVolt`: millivolt (MDC_DIM_MILLI_VOLT), UCUM `mV`.
pub const IOMT_UNIT_MILLI_VOLT: u8 = 10;
/// `iomt_core::Unit::MicroVolt`: microvolt (MDC_DIM_MICRO_VOLT), UCUM `uV`.
pub const IOMT_UNIT_MICRO_VOLT: u8 = 11;

// `iomt_core::EcgLead`
/// `iomt_core::EcgLead::Unspecified`: ECG, generic/unspecified lead (MDC_ECG_ELEC_POTL).
pub const IOMT_ECG_LEAD_UNSPECIFIED: u8 = 0;
/// `iomt_core::EcgLead::I`: ECG lead I (MDC_ECG_ELEC_POTL_I).
pub const IOMT_ECG_LEAD_I: u8 = 1;
/// `iomt_core::EcgLead::II`: ECG lead II (MDC_ECG_ELEC_POTL_II).
pub const IOMT_ECG_LEAD_I_I: u8 = 2;
/// `iomt_core::EcgLead::III`: ECG lead III (MDC_ECG_ELEC_POTL_III).
pub const IOMT_ECG_LEAD_I_I_I: u8 = 3;

// `iomt_core::StatusFlag`
/// `iomt_core::StatusFlag::Artifact`.
pub const IOMT_STATUS_FLAG_ARTIFACT: u8 = 0;
/// `iomt_core::StatusFlag::LowSignal`.
pub const IOMT_STATUS_FLAG_LOW_SIGNAL: u8 = 1;
/// `iomt_core::StatusFlag::Alarm`.
pub const IOMT_STATUS_FLAG_ALARM: u8 = 2;
/// `iomt_core::StatusFlag::Questionable`.
pub const IOMT_STATUS_FLAG_QUESTIONABLE: u8 = 3;
/// `iomt_core::StatusFlag::Calibrating`.
pub const IOMT_STATUS_FLAG_CALIBRATING: u8 = 4;
/// `iomt_core::StatusFlag::ManualEntry`.
pub const IOMT_STATUS_FLAG_MANUAL_ENTRY: u8 = 5;

// `iomt_core::DenyReason`
/// `iomt_core::DenyReason::NotYetValid`.
pub const IOMT_DENY_REASON_NOT_YET_VALID: u8 = 0;
/// `iomt_core::DenyReason::Expired`.
pub const IOMT_DENY_REASON_EXPIRED: u8 = 1;
/// `iomt_core::DenyReason::StaleRevision`.
pub const IOMT_DENY_REASON_STALE_REVISION: u8 = 2;
/// `iomt_core::DenyReason::DeniedByConsent`.
pub const IOMT_DENY_REASON_DENIED_BY_CONSENT: u8 = 3;
/// `iomt_core::DenyReason::PurposeNotCovered`.
pub const IOMT_DENY_REASON_PURPOSE_NOT_COVERED: u8 = 4;
/// `iomt_core::DenyReason::RoleNotCovered`.
pub const IOMT_DENY_REASON_ROLE_NOT_COVERED: u8 = 5;
/// `iomt_core::DenyReason::ActionNotCovered`.
pub const IOMT_DENY_REASON_ACTION_NOT_COVERED: u8 = 6;
/// `iomt_core::DenyReason::ClassNotCovered`.
pub const IOMT_DENY_REASON_CLASS_NOT_COVERED: u8 = 7;
/// `iomt_core::DenyReason::UnsupportedVersion`.
pub const IOMT_DENY_REASON_UNSUPPORTED_VERSION: u8 = 8;

// `iomt_core::Effect`
/// `iomt_core::Effect::Deny`.
pub const IOMT_EFFECT_DENY: u8 = 0;
/// `iomt_core::Effect::Permit`.
pub const IOMT_EFFECT_PERMIT: u8 = 1;
