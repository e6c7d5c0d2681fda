// qonto_webhooks.hpp: a header-only C++17 wrapper over qonto_webhooks.h.
//
// RAII verifier and incremental state, std::string_view inputs, and one exception type,
// qonto_webhooks::Error, carrying the stable code ("signature_mismatch", ...) and the detailed
// message. Link as for C: -l:libqonto_webhooks.a -lpthread -ldl -lm.
//
//   qonto_webhooks::Verifier verifier{secret};            // 300 s replay window
//   try {
//     auto verified = verifier.verify(body, header);      // system clock
//   } catch (const qonto_webhooks::Error &e) {
//     respond(400, e.code());                             // e.what(): what was wrong, what to do
//   }
//
// A Verifier is immutable: share one between threads (const methods only).
#ifndef QONTO_WEBHOOKS_HPP
#define QONTO_WEBHOOKS_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "qonto_webhooks.h"

namespace qonto_webhooks {

/// The default replay window, in seconds.
inline constexpr std::uint64_t default_tolerance = QW_DEFAULT_TOLERANCE_SECS;
/// Pass as the tolerance to switch the replay window off (re-verifying archived events only).
inline constexpr std::uint64_t tolerance_disabled = QW_TOLERANCE_DISABLED;
/// The business webhook header.
inline constexpr std::string_view business_header = "X-Qonto-Signature";
/// The onboarding webhook header.
inline constexpr std::string_view onboarding_header = "Qonto-SHA256-Signature";

/// A rejected webhook (or secret): status() is the C status, code() its stable string,
/// what() the detailed message (what was wrong and what to do; never a secret).
class Error : public std::runtime_error {
 public:
  Error(qw_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}

  qw_status status() const noexcept { return status_; }
  /// The stable code, e.g. "timestamp_too_old": the same string in every binding.
  const char *code() const noexcept { return qw_status_code(status_); }

 private:
  qw_status status_;
};

namespace detail {

inline const std::uint8_t *bytes(std::string_view s) noexcept {
  return reinterpret_cast<const std::uint8_t *>(s.data());
}

/// Throws the Error for a failed call, with the message the library recorded on this thread.
inline void check(qw_status status) {
  if (status == QW_STATUS_OK) return;
  std::string message(qw_last_error_message(nullptr, 0), '\0');
  // size() + 1 bytes: the message and the NUL that snprintf-like functions always write.
  std::vector<char> buf(message.size() + 1);
  qw_last_error_message(buf.data(), buf.size());
  message.assign(buf.data(), message.size());
  if (message.empty()) message = qw_status_message(status);
  throw Error(status, message);
}

struct VerifierDeleter {
  void operator()(qw_verifier *v) const noexcept { qw_verifier_free(v); }
};
struct StateDeleter {
  void operator()(qw_verify_state *s) const noexcept { qw_verify_state_free(s); }
};

}  // namespace detail

/// A successful verification.
struct Verified {
  /// Which secret matched: the index of the first one, in the order given.
  std::size_t secret_index;
  /// The header's t (unix seconds) for a business webhook; empty for onboarding.
  std::optional<std::uint64_t> timestamp;
};

inline Verified to_verified(const qw_verified &v) {
  return Verified{v.secret_index,
                  v.has_timestamp ? std::optional<std::uint64_t>(v.timestamp) : std::nullopt};
}

/// A verification in progress, for a body read in pieces (from Verifier::start*).
/// Movable, not copyable; freed by its destructor if not finished.
class Incremental {
 public:
  /// Feeds the next piece of the raw body.
  void update(std::string_view chunk) {
    detail::check(qw_verify_update(live(), detail::bytes(chunk), chunk.size()));
  }

  /// The verdict for the whole body. Consumes the state (call it on an rvalue).
  Verified finish() && {
    qw_verified out{};
    qw_status status = qw_verify_finish(live(), &out);
    state_.release();  // qw_verify_finish always frees the state
    detail::check(status);
    return to_verified(out);
  }

 private:
  friend class Verifier;
  explicit Incremental(qw_verify_state *state) : state_(state) {}

  qw_verify_state *live() const {
    if (!state_) throw std::logic_error("qonto_webhooks::Incremental used after finish or move");
    return state_.get();
  }

  std::unique_ptr<qw_verify_state, detail::StateDeleter> state_;
};

/// Verifies Qonto webhook signatures with one or more secrets (rotation: tried in order).
/// Movable, not copyable; immutable, so one verifier may be shared by threads.
class Verifier {
 public:
  /// One secret, used byte for byte (a whsec_ secret whole, not base64-decoded).
  explicit Verifier(std::string_view secret, std::uint64_t tolerance_secs = default_tolerance)
      : Verifier({secret}, tolerance_secs) {}

  /// Several secrets, tried in order.
  Verifier(std::initializer_list<std::string_view> secrets,
           std::uint64_t tolerance_secs = default_tolerance)
      : Verifier(std::vector<std::string_view>(secrets), tolerance_secs) {}

  /// Several secrets, tried in order.
  explicit Verifier(const std::vector<std::string> &secrets,
                    std::uint64_t tolerance_secs = default_tolerance)
      : Verifier(std::vector<std::string_view>(secrets.begin(), secrets.end()), tolerance_secs) {}

  /// Several secrets, tried in order.
  explicit Verifier(const std::vector<std::string_view> &secrets,
                    std::uint64_t tolerance_secs = default_tolerance) {
    std::vector<qw_bytes> raw;
    raw.reserve(secrets.size());
    for (std::string_view s : secrets) raw.push_back(qw_bytes{detail::bytes(s), s.size()});
    qw_verifier *v = nullptr;
    detail::check(qw_verifier_new(raw.data(), raw.size(), tolerance_secs, &v));
    verifier_.reset(v);
  }

  /// Verifies a business webhook (X-Qonto-Signature) at `now` (unix seconds).
  /// `body` is the raw request body, byte for byte. Throws Error.
  Verified verify(std::string_view body, std::string_view header, std::uint64_t now) const {
    qw_verified out{};
    detail::check(qw_verify(live(), detail::bytes(body), body.size(), detail::bytes(header),
                            header.size(), now, &out));
    return to_verified(out);
  }

  /// Verifies a business webhook against the system clock. Throws Error.
  Verified verify(std::string_view body, std::string_view header) const {
    qw_verified out{};
    detail::check(qw_verify_now(live(), detail::bytes(body), body.size(), detail::bytes(header),
                                header.size(), &out));
    return to_verified(out);
  }

  /// Verifies an onboarding webhook (Qonto-SHA256-Signature): no timestamp, no replay window.
  Verified verify_onboarding(std::string_view body, std::string_view header) const {
    qw_verified out{};
    detail::check(qw_verify_onboarding(live(), detail::bytes(body), body.size(),
                                       detail::bytes(header), header.size(), &out));
    return to_verified(out);
  }

  /// Starts a business verification for a body read in pieces; the header and the window are
  /// checked now. Throws Error.
  Incremental start(std::string_view header, std::uint64_t now) const {
    qw_verify_state *state = nullptr;
    detail::check(qw_verify_start(live(), detail::bytes(header), header.size(), now, &state));
    return Incremental(state);
  }

  /// start() against the system clock.
  Incremental start(std::string_view header) const {
    qw_verify_state *state = nullptr;
    detail::check(qw_verify_start_now(live(), detail::bytes(header), header.size(), &state));
    return Incremental(state);
  }

  /// Starts an onboarding verification for a body read in pieces.
  Incremental start_onboarding(std::string_view header) const {
    qw_verify_state *state = nullptr;
    detail::check(
        qw_verify_start_onboarding(live(), detail::bytes(header), header.size(), &state));
    return Incremental(state);
  }

 private:
  const qw_verifier *live() const {
    if (!verifier_) throw std::logic_error("qonto_webhooks::Verifier used after move");
    return verifier_.get();
  }

  std::unique_ptr<qw_verifier, detail::VerifierDeleter> verifier_;
};

/// The X-Qonto-Signature value Qonto would send: t=<timestamp>,v1=<hex HMAC-SHA256>.
inline std::string sign(std::string_view secret, std::string_view body, std::uint64_t timestamp) {
  std::uint8_t buf[QW_SIGN_MAX_LEN];
  std::size_t len = 0;
  detail::check(qw_sign(detail::bytes(secret), secret.size(), detail::bytes(body), body.size(),
                        timestamp, buf, sizeof buf, &len));
  return std::string(reinterpret_cast<const char *>(buf), len);
}

/// The Qonto-SHA256-Signature value: the hex HMAC-SHA256 of the body.
inline std::string sign_onboarding(std::string_view secret, std::string_view body) {
  std::uint8_t buf[QW_SIGN_MAX_LEN];
  std::size_t len = 0;
  detail::check(qw_sign_onboarding(detail::bytes(secret), secret.size(), detail::bytes(body),
                                   body.size(), buf, sizeof buf, &len));
  return std::string(reinterpret_cast<const char *>(buf), len);
}

/// The library's version, e.g. "0.1.0".
inline std::string_view version() noexcept { return qw_version(); }

}  // namespace qonto_webhooks

#endif  // QONTO_WEBHOOKS_HPP
