//! The secure channel: seal and open frames, consent slots, limits and key update.
//!
//! # Invariants
//! - **No nonce reuse.** The send sequence number is consumed *before* the AEAD runs
//!   and only ever increases within an epoch; when it reaches the per-key encryption
//!   limit the channel performs a key update (new key, epoch + 1, sequence 0) before
//!   sealing; when the 32-bit epoch counter is exhausted sealing fails. `Channel` is not
//!   `Clone`. This holds per channel: two channels built from the same exporter secrets
//!   (e.g. `Channel::from_edhoc` twice on one handshake) share keys and would reuse
//!   nonces, so build one channel per handshake and side.
//! - **Forged frames change nothing** except the failed-decryption counter of the key
//!   they were tried against: open is check (header, connection id, epoch, slot,
//!   replay window) → decrypt → only then commit (replay window, epoch ratchet, grace
//!   counter, consent slot install, close).
//! - **Consent binding.** A data frame's AAD is `header ‖ encoded consent tag of its
//!   slot` (just `header` with no slot); [`Opened::consent`] is the tag that was
//!   authenticated with the frame.
//! - **Key update** (forward secret, per direction): `secret_{n+1} =
//!   HKDF-Expand(secret_n, "iomt1 ku", 32)`, old secret and key zeroized. The receiver
//!   follows implicitly when a frame with a newer epoch authenticates (up to
//!   [`MAX_EPOCH_SKIP`] epochs ahead). The previous receive key stays usable for
//!   frames of epoch n−1 until `W` more frames of epoch n (after the one that moved the
//!   receiver) were accepted — the grace period — then it is zeroized.
//! - After [`ProtoError::LimitReached`] or a close frame (sent or received) the channel
//!   is closed: every later call returns [`ProtoError::Closed`], except that after the
//!   forgery limit [`Channel::close`] may still send one close frame.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use iomt_crypto::{AeadAlgorithm, AeadKey, CryptoProvider, Prk};

use crate::consent::ConsentSlots;
use crate::error::{ApiMisuse, LimitKind, PeerMisbehaved, ProtoError, Rejection};
use crate::keys::{self, Iv, KeyExporter, Side};
use crate::limits::KeyLimits;
use crate::payload::CloseReason;
use crate::replay::ReplayWindow;
use crate::wire::{self, Frame, FrameRepr, FrameType};

/// The largest payload (plaintext) of one frame.
pub const MAX_PAYLOAD_LEN: usize = 1024;
/// The largest frame: header + payload + 16-byte tag.
pub const MAX_FRAME_LEN: usize =
    wire::MAX_HEADER_LEN + MAX_PAYLOAD_LEN + AeadAlgorithm::MAX_TAG_LEN;
/// How many epochs ahead of its current one a receiver follows a sender.
pub const MAX_EPOCH_SKIP: u8 = 4;
/// The largest AAD: a header and a consent tag.
const MAX_AAD_LEN: usize = wire::MAX_HEADER_LEN + crate::consent::CONSENT_TAG_CAPACITY;

/// Which receive key a frame's epoch selects.
#[derive(Clone, Copy)]
enum EpochChoice {
    Current,
    Previous,
    Ahead(u8),
}

/// The consent tag that governs an opened frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundConsent<'a> {
    /// The slot the frame named.
    pub slot: u8,
    /// The encoded tag (exactly the bytes that were part of the AAD).
    pub encoded: &'a [u8],
}

impl BoundConsent<'_> {
    /// Decodes the tag (it was validated when installed, so this succeeds).
    ///
    /// # Errors
    /// [`PeerMisbehaved::InvalidConsentTag`] if it does not decode (cannot happen for a
    /// tag installed through the channel).
    pub fn tag(&self) -> Result<iomt_core::ConsentTag, ProtoError> {
        iomt_core::ConsentTag::decode(self.encoded)
            .map_err(|_| ProtoError::PeerMisbehaved(PeerMisbehaved::InvalidConsentTag))
    }
}

/// An authenticated, decrypted frame.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The frame type (data, consent or close).
    pub frame_type: FrameType,
    /// The sender's key epoch.
    pub epoch: u32,
    /// The sequence number within that epoch.
    pub seq: u32,
    /// The plaintext, decrypted in place in the caller's frame buffer.
    pub payload: &'a [u8],
    /// The consent tag bound to the frame (for a consent frame: the tag it installed).
    pub consent: Option<BoundConsent<'a>>,
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelStats {
    /// The current send epoch.
    pub send_epoch: u32,
    /// The next send sequence number.
    pub next_send_seq: u32,
    /// The current receive epoch.
    pub recv_epoch: u32,
    /// Failed decryptions under the current receive key.
    pub recv_failed: u32,
    /// Whether the previous receive key is still in its grace period.
    pub previous_key_live: bool,
    /// Consent frames refused because the slot already holds a tag installed by a later
    /// frame ([`Rejection::ConsentOutOfOrder`]); each slot's count saturates at 255 (kept per slot so a channel without slots stays
    /// within its 256-byte state budget).
    pub consent_out_of_order: u32,
}

/// An established secure channel (one per session).
///
/// `W` is the replay window (1–64, default 64) and also the grace period of the
/// previous receive key, in frames. `SLOTS` is the number of consent slots (0–15,
/// default 4): slot numbers `0..SLOTS`, initiator installs even ones, responder odd ones.
///
/// # Example
/// ```
/// use iomt_crypto::{AeadAlgorithm, RustCryptoProvider};
/// use iomt_proto::{Channel, ExportError, FrameType, Side};
/// let mut crypto = RustCryptoProvider::with_os_rng();
/// // Stand-in for iomt-auth's EDHOC_Exporter (NOT a real exporter).
/// let mut exporter = |label: u16, _ctx: &[u8], out: &mut [u8]| -> Result<(), ExportError> {
///     out.fill(label as u8);
///     Ok(())
/// };
/// let alg = AeadAlgorithm::ChaCha20Poly1305;
/// let mut device: Channel = Channel::new(&mut crypto, &mut exporter, alg, Side::Initiator, 0x2A)?;
/// let mut gateway: Channel = Channel::new(&mut crypto, &mut exporter, alg, Side::Responder, 0x2A)?;
///
/// let mut frame = [0u8; 64];
/// let n = device.seal_data(&mut crypto, None, b"hello", &mut frame)?;
/// assert_eq!(n, 4 + 5 + 16); // header + payload + tag
/// let opened = gateway.open(&mut crypto, &mut frame[..n])?;
/// assert_eq!(opened.frame_type, FrameType::Data);
/// assert_eq!(opened.payload, b"hello");
/// # Ok::<(), iomt_proto::ProtoError>(())
/// ```
#[derive(Debug)]
pub struct Channel<const W: u32 = 64, const SLOTS: usize = 4> {
    // Send direction: the current secret (for the ratchet), key and IV.
    tx_secret: Prk,
    tx_key: AeadKey,
    tx_iv: Iv,
    // Receive direction: current secret/key/IV, and epoch n−1's key during its grace.
    rx_secret: Prk,
    rx_key: AeadKey,
    rx_iv: Iv,
    prev_key: Option<AeadKey>,
    rx_window: ReplayWindow<W>,
    prev_window: ReplayWindow<W>,
    tx_epoch: u32,
    tx_next_seq: u32,
    rx_epoch: u32,
    rx_failed: u32,
    prev_failed: u32,
    max_encryptions: u32,
    max_failed: u32,
    /// Frames of the current receive epoch still to accept before `prev_key` goes.
    grace_left: u8,
    algorithm: AeadAlgorithm,
    side: Side,
    conn_id: u8,
    state: State,
    consent: ConsentSlots<SLOTS>,
}

/// Lifecycle of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// The receive side hit its forgery limit: only [`Channel::close`] may still run.
    Closing,
    Closed,
}

impl<const W: u32, const SLOTS: usize> Channel<W, SLOTS> {
    const VALID: () = assert!(SLOTS <= 15, "at most 15 consent slots (15 means none)");

    /// Derives both directions' keys from the exporter and starts at epoch 0.
    ///
    /// # Errors
    /// [`ProtoError::KeyExport`] if the exporter fails, [`ProtoError::Crypto`] if HKDF fails.
    pub fn new<C: CryptoProvider, E: KeyExporter + ?Sized>(
        crypto: &mut C,
        exporter: &mut E,
        algorithm: AeadAlgorithm,
        side: Side,
        conn_id: u8,
    ) -> Result<Self, ProtoError> {
        let () = Self::VALID;
        let tx_secret = keys::export_secret(exporter, algorithm, side.send_label())?;
        let rx_secret = keys::export_secret(exporter, algorithm, side.peer().send_label())?;
        let tx_iv = keys::derive_iv(crypto, &tx_secret, algorithm)?;
        let rx_iv = keys::derive_iv(crypto, &rx_secret, algorithm)?;
        let tx_key = keys::derive_key(crypto, &tx_secret, algorithm)?;
        let rx_key = keys::derive_key(crypto, &rx_secret, algorithm)?;
        let limits = KeyLimits::for_algorithm(algorithm);
        Ok(Self {
            tx_secret,
            tx_key,
            tx_iv,
            rx_secret,
            rx_key,
            rx_iv,
            prev_key: None,
            rx_window: ReplayWindow::new(),
            prev_window: ReplayWindow::new(),
            tx_epoch: 0,
            tx_next_seq: 0,
            rx_epoch: 0,
            rx_failed: 0,
            prev_failed: 0,
            max_encryptions: clamp_u32(limits.max_encryptions),
            max_failed: clamp_u32(limits.max_failed_decryptions),
            grace_left: 0,
            algorithm,
            side,
            conn_id,
            state: State::Open,
            consent: ConsentSlots::new(),
        })
    }

    /// Overrides the per-key limits (tests, or a stricter policy). Limits above the
    /// defaults of [`KeyLimits::for_algorithm`] are clamped to them.
    pub fn set_limits(&mut self, limits: KeyLimits) {
        let max = KeyLimits::for_algorithm(self.algorithm);
        self.max_encryptions = clamp_u32(limits.max_encryptions.clamp(1, max.max_encryptions));
        self.max_failed = clamp_u32(
            limits
                .max_failed_decryptions
                .clamp(1, max.max_failed_decryptions),
        );
    }

    /// The negotiated AEAD.
    #[must_use]
    pub const fn algorithm(&self) -> AeadAlgorithm {
        self.algorithm
    }

    /// This side of the handshake.
    #[must_use]
    pub const fn side(&self) -> Side {
        self.side
    }

    /// The connection id carried in every frame.
    #[must_use]
    pub const fn conn_id(&self) -> u8 {
        self.conn_id
    }

    /// Whether the channel is closed (or closing: only [`Channel::close`] still works).
    #[must_use]
    pub const fn is_closed(&self) -> bool {
        !matches!(self.state, State::Open)
    }

    /// Bytes a frame adds to its payload at the current send sequence number.
    #[must_use]
    pub fn overhead(&self) -> usize {
        wire::seq_len(self.tx_next_seq)
            .saturating_add(3)
            .saturating_add(self.algorithm.tag_len())
    }

    /// Counters for diagnostics.
    #[must_use]
    pub fn stats(&self) -> ChannelStats {
        ChannelStats {
            send_epoch: self.tx_epoch,
            next_send_seq: self.tx_next_seq,
            recv_epoch: self.rx_epoch,
            recv_failed: self.rx_failed,
            previous_key_live: self.prev_key.is_some(),
            consent_out_of_order: self.consent.out_of_order(),
        }
    }

    /// The encoded consent tag in `slot`, if any.
    #[must_use]
    pub fn consent_tag(&self, slot: u8) -> Option<&[u8]> {
        self.consent.get(slot)
    }

    /// Marks the channel closed without sending anything (keys stay until drop).
    pub fn abort(&mut self) {
        self.state = State::Closed;
    }

    /// Ratchets the send key: `secret ← HKDF-Expand(secret, "iomt1 ku", 32)`, epoch + 1,
    /// sequence 0; the old secret and key are zeroized. [`Channel::seal_data`] does this
    /// by itself when the encryption limit is reached.
    ///
    /// The peer follows when it receives a frame of the new epoch. Don't update more
    /// than [`MAX_EPOCH_SKIP`] times without sending frames the peer receives.
    ///
    /// # Errors
    /// [`ProtoError::LimitReached`]`(Epoch)` when the epoch counter is exhausted (the
    /// channel closes), [`ProtoError::Closed`], or a crypto failure.
    pub fn update_send_key<C: CryptoProvider>(&mut self, crypto: &mut C) -> Result<(), ProtoError> {
        self.ensure_open()?;
        let Some(epoch) = self.tx_epoch.checked_add(1) else {
            self.state = State::Closed;
            return Err(ProtoError::LimitReached(LimitKind::Epoch));
        };
        let secret = keys::next_secret(crypto, &self.tx_secret)?;
        let key = keys::derive_key(crypto, &secret, self.algorithm)?;
        // Assigning drops (and so zeroizes) the old secret and key.
        self.tx_secret = secret;
        self.tx_key = key;
        self.tx_epoch = epoch;
        self.tx_next_seq = 0;
        Ok(())
    }

    /// Seals a data frame with `payload` into `out`; returns the frame length.
    ///
    /// `slot` names the consent tag the data is governed by (its encoded bytes join the
    /// AAD), or `None`.
    ///
    /// # Errors
    /// [`ApiMisuse`] for a payload above [`MAX_PAYLOAD_LEN`] or an invalid/empty slot,
    /// [`ProtoError::BufferTooSmall`], [`ProtoError::Closed`], key-update errors.
    pub fn seal_data<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        slot: Option<u8>,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, ProtoError> {
        self.seal_frame(crypto, FrameType::Data, slot, out, |buf| {
            copy_into(payload, buf)
        })
    }

    /// Like [`Channel::seal_data`], but `write` puts the payload straight into the
    /// frame buffer (zero copy) and returns its length.
    ///
    /// # Errors
    /// As [`Channel::seal_data`], plus any error `write` returns. A sequence number is
    /// consumed only once `write` succeeded.
    pub fn seal_data_with<C, F>(
        &mut self,
        crypto: &mut C,
        slot: Option<u8>,
        out: &mut [u8],
        write: F,
    ) -> Result<usize, ProtoError>
    where
        C: CryptoProvider,
        F: FnOnce(&mut [u8]) -> Result<usize, ProtoError>,
    {
        self.seal_frame(crypto, FrameType::Data, slot, out, write)
    }

    /// Installs `encoded_tag` in `slot` on this side and seals the consent frame that
    /// installs it on the peer.
    ///
    /// The tag is validated with `iomt_core::ConsentTag::decode` first. Consent frames
    /// must reach the peer before data frames that name the slot (see `PROTOCOL.md`).
    ///
    /// # Errors
    /// [`ApiMisuse::SlotNotOwned`] / [`ApiMisuse::InvalidSlot`] /
    /// [`ApiMisuse::InvalidConsentTag`], and the errors of [`Channel::seal_data`].
    pub fn send_consent<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        slot: u8,
        encoded_tag: &[u8],
        out: &mut [u8],
    ) -> Result<usize, ProtoError> {
        self.ensure_open()?;
        if usize::from(slot) >= SLOTS {
            return Err(ApiMisuse::InvalidSlot.into());
        }
        if !self.side.owns_slot(slot) {
            return Err(ApiMisuse::SlotNotOwned.into());
        }
        crate::consent::validate_tag(encoded_tag)
            .map_err(|()| ProtoError::ApiMisuse(ApiMisuse::InvalidConsentTag))?;
        let n = self.seal_frame(crypto, FrameType::Consent, Some(slot), out, |buf| {
            copy_into(encoded_tag, buf)
        })?;
        let at = (self.tx_epoch, self.tx_next_seq.saturating_sub(1));
        self.consent
            .install(slot, encoded_tag, at.0, at.1)
            .map_err(|()| ProtoError::ApiMisuse(ApiMisuse::InvalidConsentTag))?;
        Ok(n)
    }

    /// Seals a close frame carrying `reason` (one byte, its stable code; also its
    /// postcard encoding) and closes the channel. Also allowed right after the receive
    /// side reached its forgery limit (send e.g. [`CloseReason::ForgeryLimit`]).
    ///
    /// # Errors
    /// [`ProtoError::BufferTooSmall`] (nothing sent; the state is unchanged, so the call
    /// can be repeated with a larger buffer), [`ProtoError::Closed`], crypto failures.
    pub fn close<C: CryptoProvider>(
        &mut self,
        crypto: &mut C,
        reason: CloseReason,
        out: &mut [u8],
    ) -> Result<usize, ProtoError> {
        if self.state == State::Closing {
            self.state = State::Open;
            let spent = (self.tx_epoch, self.tx_next_seq);
            let r = self.seal_frame(crypto, FrameType::Close, None, out, |buf| {
                copy_into(&[reason.code()], buf)
            });
            // A buffer too small for the close frame spends nothing: keep the one close
            // frame available (as in the open state) instead of losing it.
            let retry = matches!(r, Err(ProtoError::BufferTooSmall { .. }))
                && spent == (self.tx_epoch, self.tx_next_seq);
            self.state = if retry { State::Closing } else { State::Closed };
            return r;
        }
        let n = self.seal_frame(crypto, FrameType::Close, None, out, |buf| {
            copy_into(&[reason.code()], buf)
        })?;
        self.state = State::Closed;
        Ok(n)
    }

    fn ensure_open(&self) -> Result<(), ProtoError> {
        match self.state {
            State::Open => Ok(()),
            State::Closing | State::Closed => Err(ProtoError::Closed),
        }
    }

    fn seal_frame<C, F>(
        &mut self,
        crypto: &mut C,
        frame_type: FrameType,
        slot: Option<u8>,
        out: &mut [u8],
        write: F,
    ) -> Result<usize, ProtoError>
    where
        C: CryptoProvider,
        F: FnOnce(&mut [u8]) -> Result<usize, ProtoError>,
    {
        self.ensure_open()?;
        let aad_slot = match (frame_type, slot) {
            (FrameType::Data, Some(s)) => {
                if usize::from(s) >= SLOTS {
                    return Err(ApiMisuse::InvalidSlot.into());
                }
                if self.consent.get(s).is_none() {
                    return Err(ApiMisuse::SlotEmpty.into());
                }
                Some(s)
            }
            (FrameType::Consent, Some(s)) if usize::from(s) < SLOTS => None,
            (FrameType::Consent, _) => return Err(ApiMisuse::InvalidSlot.into()),
            (_, None) => None,
            (_, Some(_)) => return Err(ApiMisuse::InvalidSlot.into()),
        };
        let mut aad_buf = [0u8; MAX_AAD_LEN];

        if self.tx_next_seq >= self.max_encryptions {
            self.update_send_key(crypto)?;
        }
        let aad_tag: &[u8] = match aad_slot {
            Some(s) => self.consent.get(s).ok_or(ApiMisuse::SlotEmpty)?,
            None => &[],
        };
        let repr = FrameRepr {
            frame_type,
            conn_id: self.conn_id,
            epoch_bits: epoch_bits(self.tx_epoch),
            slot,
            seq: self.tx_next_seq,
        };
        let header_len = repr.buffer_len();
        let tag_len = self.algorithm.tag_len();
        let min = header_len.saturating_add(tag_len);
        let Some(body_room) = out.len().checked_sub(min) else {
            return Err(ProtoError::BufferTooSmall { needed: min });
        };
        let (header, rest) = out
            .split_at_mut_checked(header_len)
            .ok_or(ProtoError::BufferTooSmall { needed: min })?;
        let room = body_room.min(MAX_PAYLOAD_LEN);
        let region = rest
            .get_mut(..room)
            .ok_or(ProtoError::BufferTooSmall { needed: min })?;
        // `write` reports the payload bytes it needed; callers get the frame size.
        let payload_len = write(region).map_err(|e| match e {
            ProtoError::BufferTooSmall { needed } => ProtoError::BufferTooSmall {
                needed: needed.saturating_add(min),
            },
            other => other,
        })?;
        if payload_len > room {
            return Err(ApiMisuse::PayloadTooLarge.into());
        }
        // From here on the sequence number is spent, whatever happens.
        // max_encryptions <= 2^32 - 1, so this never saturates while sealing is allowed.
        let seq = self.tx_next_seq;
        self.tx_next_seq = seq.saturating_add(1);

        repr.emit(&mut Frame::new_unchecked(&mut *header));
        let aad = build_aad(&mut aad_buf, header, aad_tag)?;
        let nonce = self.tx_iv.nonce(self.tx_epoch, u64::from(seq));
        let (plain, tail) = rest
            .split_at_mut_checked(payload_len)
            .ok_or(ProtoError::BufferTooSmall { needed: min })?;
        let tag = tail
            .get_mut(..tag_len)
            .ok_or(ProtoError::BufferTooSmall { needed: min })?;
        crypto.aead_seal(
            self.algorithm,
            &self.tx_key,
            nonce.as_bytes(),
            aad,
            plain,
            tag,
        )?;
        Ok(header_len
            .saturating_add(payload_len)
            .saturating_add(tag_len))
    }

    /// Authenticates and decrypts `frame` in place.
    ///
    /// On success the replay window (and, for a newer epoch, the receive key) advance; a
    /// consent frame installs its tag; a close frame closes the channel.
    ///
    /// # Errors
    /// - [`ProtoError::Malformed`] / [`ProtoError::Rejected`]: nothing decrypted, nothing
    ///   changed (wrong connection id, replayed, too old, wrong epoch, empty or invalid
    ///   slot, oversized).
    /// - [`ProtoError::AuthenticationFailed`]: forged or corrupted (the failed-decryption
    ///   counter grew; `frame` may be zeroized); [`ProtoError::LimitReached`] when that
    ///   counter reached the limit (the channel is now closed).
    /// - [`ProtoError::PeerMisbehaved`]: authenticated but invalid content (the sequence
    ///   number is spent).
    /// - [`ProtoError::Closed`].
    pub fn open<'a, C: CryptoProvider>(
        &'a mut self,
        crypto: &mut C,
        frame: &'a mut [u8],
    ) -> Result<Opened<'a>, ProtoError> {
        self.ensure_open()?;
        if frame.len() > MAX_FRAME_LEN {
            return Err(Rejection::FrameTooLarge.into());
        }
        let view = Frame::new_checked(&*frame)?;
        let repr = FrameRepr::parse(&view)?;
        if repr.conn_id != self.conn_id {
            return Err(Rejection::WrongConnectionId {
                expected: self.conn_id,
                got: repr.conn_id,
            }
            .into());
        }
        let header_len = repr.buffer_len();
        let tag_len = self.algorithm.tag_len();
        let body_len = frame
            .len()
            .checked_sub(header_len)
            .and_then(|b| b.checked_sub(tag_len))
            .ok_or(ProtoError::Malformed(wire::WireError::Truncated))?;

        // Consent slot checks (before any decryption).
        let aad_tag: &[u8] = match (repr.frame_type, repr.slot) {
            (FrameType::Data, Some(s)) => {
                if usize::from(s) >= SLOTS {
                    return Err(Rejection::ConsentSlotInvalid(s).into());
                }
                self.consent.get(s).ok_or(Rejection::ConsentSlotEmpty(s))?
            }
            (FrameType::Consent, Some(s)) => {
                if usize::from(s) >= SLOTS || !self.side.peer().owns_slot(s) {
                    return Err(Rejection::ConsentSlotInvalid(s).into());
                }
                &[]
            }
            (FrameType::Consent, None) => {
                return Err(Rejection::ConsentSlotInvalid(wire::NO_SLOT).into());
            }
            (_, Some(s)) => return Err(Rejection::ConsentSlotInvalid(s).into()),
            (_, None) => &[],
        };

        // Epoch selection.
        let current = self.rx_epoch;
        let delta = repr.epoch_bits.wrapping_sub(epoch_bits(current)) & 0x0F;
        let choice = match delta {
            0 => EpochChoice::Current,
            15 if self.prev_key.is_some() => EpochChoice::Previous,
            d @ 1..=MAX_EPOCH_SKIP => EpochChoice::Ahead(d),
            _ => return Err(Rejection::WrongEpoch.into()),
        };
        let seq = repr.seq;
        let epoch = match choice {
            EpochChoice::Current => {
                self.rx_window.check(seq)?;
                current
            }
            EpochChoice::Previous => {
                self.prev_window.check(seq)?;
                current.checked_sub(1).ok_or(Rejection::WrongEpoch)?
            }
            EpochChoice::Ahead(d) => current
                .checked_add(u32::from(d))
                .ok_or(Rejection::WrongEpoch)?,
        };

        // Ordered consent installs: a consent frame at or before the one that installed
        // the slot's tag is refused before decryption and never applied.
        if let (FrameType::Consent, Some(s)) = (repr.frame_type, repr.slot)
            && !self.consent.accepts(s, epoch, seq)
        {
            self.consent.count_out_of_order(s);
            return Err(Rejection::ConsentOutOfOrder(s).into());
        }

        // Decrypt.
        let mut aad_buf = [0u8; MAX_AAD_LEN];
        let (header, rest) = frame
            .split_at_mut_checked(header_len)
            .ok_or(ProtoError::Malformed(wire::WireError::Truncated))?;
        let aad = build_aad(&mut aad_buf, header, aad_tag)?;
        let (ciphertext, tag) = rest
            .split_at_mut_checked(body_len)
            .ok_or(ProtoError::Malformed(wire::WireError::Truncated))?;
        let nonce = self.rx_iv.nonce(epoch, u64::from(seq));

        let mut ahead: Option<(Prk, AeadKey)> = None;
        let key = match choice {
            EpochChoice::Current => &self.rx_key,
            EpochChoice::Previous => self.prev_key.as_ref().ok_or(Rejection::WrongEpoch)?,
            EpochChoice::Ahead(d) => {
                let mut secret = keys::next_secret(crypto, &self.rx_secret)?;
                for _ in 1..d {
                    secret = keys::next_secret(crypto, &secret)?;
                }
                let key = keys::derive_key(crypto, &secret, self.algorithm)?;
                &ahead.insert((secret, key)).1
            }
        };
        let result = crypto.aead_open(self.algorithm, key, nonce.as_bytes(), aad, ciphertext, tag);
        if let Err(e) = result {
            return Err(self.record_failure(e.into(), choice));
        }

        // Authentic: commit.
        match (choice, ahead) {
            (EpochChoice::Current, _) => {
                self.rx_window.commit(seq);
                self.tick_grace();
            }
            (EpochChoice::Previous, _) => self.prev_window.commit(seq),
            (EpochChoice::Ahead(d), Some((secret, key))) => {
                let mut window = ReplayWindow::new();
                window.commit(seq);
                let old_key = core::mem::replace(&mut self.rx_key, key);
                let old_window = core::mem::replace(&mut self.rx_window, window);
                self.rx_secret = secret;
                self.rx_epoch = epoch;
                // Keep the old key for its grace period only if it is epoch n−1.
                if d == 1 {
                    self.prev_key = Some(old_key);
                    self.prev_window = old_window;
                    self.prev_failed = self.rx_failed;
                    self.grace_left = grace_frames(W);
                } else {
                    self.prev_key = None;
                    self.prev_failed = 0;
                }
                self.rx_failed = 0;
            }
            (EpochChoice::Ahead(_), None) => return Err(Rejection::WrongEpoch.into()),
        }

        let payload: &'a [u8] = ciphertext;
        let consent = match (repr.frame_type, repr.slot) {
            (FrameType::Consent, Some(s)) => {
                if crate::consent::validate_tag(payload).is_err()
                    || self.consent.install(s, payload, epoch, seq).is_err()
                {
                    return Err(PeerMisbehaved::InvalidConsentTag.into());
                }
                Some(s)
            }
            (FrameType::Data, Some(s)) => Some(s),
            (FrameType::Close, _) => {
                self.state = State::Closed;
                None
            }
            _ => None,
        };
        let consent = match consent {
            Some(slot) => Some(BoundConsent {
                slot,
                encoded: self
                    .consent
                    .get(slot)
                    .ok_or(Rejection::ConsentSlotEmpty(slot))?,
            }),
            None => None,
        };
        Ok(Opened {
            frame_type: repr.frame_type,
            epoch,
            seq,
            payload,
            consent,
        })
    }

    fn record_failure(&mut self, err: ProtoError, choice: EpochChoice) -> ProtoError {
        if err != ProtoError::AuthenticationFailed {
            return err;
        }
        let counter = match choice {
            EpochChoice::Previous => &mut self.prev_failed,
            // Failures against a trial future key are charged to the current key.
            EpochChoice::Current | EpochChoice::Ahead(_) => &mut self.rx_failed,
        };
        *counter = counter.saturating_add(1);
        if *counter >= self.max_failed {
            self.state = State::Closing;
            ProtoError::LimitReached(LimitKind::Forgery)
        } else {
            ProtoError::AuthenticationFailed
        }
    }

    fn tick_grace(&mut self) {
        if self.prev_key.is_some() {
            self.grace_left = self.grace_left.saturating_sub(1);
            if self.grace_left == 0 {
                // Dropping zeroizes the old key.
                self.prev_key = None;
                self.prev_window = ReplayWindow::new();
                self.prev_failed = 0;
            }
        }
    }
}

/// The grace period in accepted frames of the new epoch: `W` (≤ 64).
fn grace_frames(w: u32) -> u8 {
    u8::try_from(w).unwrap_or(u8::MAX)
}

/// Limits are at most 2^32 − 1 (the 4-byte sequence number); saturate into `u32`.
fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The epoch's 4 wire bits.
const fn epoch_bits(epoch: u32) -> u8 {
    (epoch & 0x0F) as u8
}

fn copy_into(src: &[u8], dst: &mut [u8]) -> Result<usize, ProtoError> {
    if src.len() > MAX_PAYLOAD_LEN {
        return Err(ApiMisuse::PayloadTooLarge.into());
    }
    if !iomt_crypto::copy_prefix(dst, src) {
        return Err(ProtoError::BufferTooSmall { needed: src.len() });
    }
    Ok(src.len())
}

fn build_aad<'b>(buf: &'b mut [u8], header: &[u8], tag: &[u8]) -> Result<&'b [u8], ProtoError> {
    let total = header.len().saturating_add(tag.len());
    let out = buf
        .get_mut(..total)
        .ok_or(ProtoError::ApiMisuse(ApiMisuse::InvalidConsentTag))?;
    let (h, t) = out.split_at_mut(header.len());
    h.copy_from_slice(header);
    t.copy_from_slice(tag);
    Ok(out)
}

#[cfg(test)]
mod epoch_tests;
