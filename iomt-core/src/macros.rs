//! Internal macros: enums with stable `u8` wire codes, and bitsets over them.
//!
//! Invariants: a `code_enum!` type serializes as its stable code (one byte in postcard), never as
//! serde's variant index, so reordering variants in source can't change the wire format. A `bitset!`
//! type can only hold bits of known elements; `from_bits` and deserialization reject unknown bits.

/// Defines a fieldless enum with explicit stable `u8` codes, `ALL`, `code()`, `from_code()`,
/// `TryFrom<u8>`, serde as the code, postcard `MaxSize` and (feature `defmt`) `defmt::Format`.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(into = "u8", try_from = "u8")]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $code, )+
        }

        impl $name {
            /// Every variant, in ascending code order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable wire code (also the bit position in the matching set type).
            #[must_use]
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The variant with stable code `code`.
            ///
            /// # Errors
            /// [`CoreError::InvalidCode`](crate::CoreError::InvalidCode) if no variant has that code.
            pub const fn from_code(code: u8) -> Result<Self, crate::CoreError> {
                match code {
                    $( $code => Ok(Self::$variant), )+
                    _ => Err(crate::CoreError::InvalidCode),
                }
            }
        }

        // Codes are exactly 0..ALL.len() in order, so `code as usize` indexes per-variant tables.
        #[allow(
            clippy::indexing_slicing,
            reason = "evaluated at compile time: an out-of-bounds index is a build error, never a runtime panic"
        )]
        const _: () = {
            let mut i = 0;
            while i < $name::ALL.len() {
                assert!($name::ALL[i] as usize == i, "codes must be contiguous from 0");
                i += 1;
            }
        };

        impl From<$name> for u8 {
            fn from(value: $name) -> Self {
                value.code()
            }
        }

        impl TryFrom<u8> for $name {
            type Error = crate::CoreError;
            fn try_from(code: u8) -> Result<Self, Self::Error> {
                Self::from_code(code)
            }
        }

        impl postcard::experimental::max_size::MaxSize for $name {
            const POSTCARD_MAX_SIZE: usize = 1;
        }
    };
}

/// Defines a bitset newtype over a `code_enum!` type: bit `n` is the element with code `n`.
macro_rules! bitset {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($repr:ty) of $elem:ident;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name($repr);

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let bits = <$repr as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_bits(bits).map_err(serde::de::Error::custom)
            }
        }

        #[allow(
            clippy::indexing_slicing,
            reason = "evaluated at compile time: `i < ALL.len()` is the loop condition; an out-of-bounds index is a build error, never a runtime panic"
        )]
        const _: () = {
            let mut i = 0;
            while i < $elem::ALL.len() {
                assert!(($elem::ALL[i].code() as u32) < <$repr>::BITS);
                i += 1;
            }
        };

        impl $name {
            /// The empty set.
            pub const EMPTY: Self = Self(0);

            /// The set of every defined element.
            #[allow(
                clippy::indexing_slicing,
                reason = "evaluated at compile time: `i < ALL.len()` is the loop condition"
            )]
            pub const ALL: Self = {
                let mut bits: $repr = 0;
                let mut i = 0;
                while i < $elem::ALL.len() {
                    bits |= 1 << $elem::ALL[i].code();
                    i += 1;
                }
                Self(bits)
            };

            /// The set with exactly these bits.
            ///
            /// # Errors
            /// [`CoreError::UnknownBits`](crate::CoreError::UnknownBits) if a bit is set that no
            /// element defines.
            pub const fn from_bits(bits: $repr) -> Result<Self, crate::CoreError> {
                if bits & !Self::ALL.0 != 0 {
                    Err(crate::CoreError::UnknownBits)
                } else {
                    Ok(Self(bits))
                }
            }

            /// The raw bits (the wire value).
            #[must_use]
            pub const fn bits(self) -> $repr {
                self.0
            }

            /// A set holding only `elem`.
            #[must_use]
            pub const fn only(elem: $elem) -> Self {
                Self(1 << elem.code())
            }

            /// This set plus `elem` (builder style).
            #[must_use]
            pub const fn with(self, elem: $elem) -> Self {
                Self(self.0 | (1 << elem.code()))
            }

            /// Adds `elem`.
            pub const fn insert(&mut self, elem: $elem) {
                self.0 |= 1 << elem.code();
            }

            /// Removes `elem`.
            pub const fn remove(&mut self, elem: $elem) {
                self.0 &= !(1 << elem.code());
            }

            /// Whether `elem` is in the set.
            #[must_use]
            pub const fn contains(self, elem: $elem) -> bool {
                self.0 & (1 << elem.code()) != 0
            }

            /// Whether the set is empty.
            #[must_use]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Number of elements.
            #[must_use]
            pub const fn len(self) -> u32 {
                self.0.count_ones()
            }

            /// Elements in either set.
            #[must_use]
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// Elements in both sets.
            #[must_use]
            pub const fn intersection(self, other: Self) -> Self {
                Self(self.0 & other.0)
            }

            /// The elements, in ascending code order.
            pub fn iter(self) -> impl Iterator<Item = $elem> {
                $elem::ALL.iter().copied().filter(move |e| self.contains(*e))
            }
        }

        impl From<$elem> for $name {
            fn from(elem: $elem) -> Self {
                Self::only(elem)
            }
        }

        impl FromIterator<$elem> for $name {
            fn from_iter<I: IntoIterator<Item = $elem>>(iter: I) -> Self {
                iter.into_iter().fold(Self::EMPTY, Self::with)
            }
        }

        impl From<$name> for $repr {
            fn from(set: $name) -> Self {
                set.0
            }
        }

        impl TryFrom<$repr> for $name {
            type Error = crate::CoreError;
            fn try_from(bits: $repr) -> Result<Self, Self::Error> {
                Self::from_bits(bits)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_set().entries(self.iter()).finish()
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl postcard::experimental::max_size::MaxSize for $name {
            const POSTCARD_MAX_SIZE: usize = <$repr as postcard::experimental::max_size::MaxSize>::POSTCARD_MAX_SIZE;
        }
    };
}
