//! Shared code of the iomt host demos.
