//! The provider traits for method calls: `use iomt_crypto::prelude::*;`.
//!
//! [`CryptoProvider`]'s operations are methods of its supertraits (the
//! [parts](crate::parts)). Generic code bounded by `P: CryptoProvider` calls them
//! without imports; code that calls them on a concrete provider type needs the part
//! traits in scope, which this glob import brings (unnamed, so they clash with nothing).

pub use crate::parts::{Aead as _, Hashing as _, P256 as _, Random as _};
pub use crate::provider::{CryptoProvider, Sha256State as _};
