// qonto_webhooks.hpp: a header-only C++17 wrapper over qonto_webhooks.h.
//
// RAII verifier and incremental state, std::string_view inputs, and one exception type,
// qonto_webhooks::Error, carrying the stable code ("signature_mismatch", ...) and the detailed
// message. Link as for C: pkg-config qonto_webhooks, or CMake qonto_webhooks::qonto_webhooks.
//
//   qonto_webhooks::Verifier verifier{secret};            // 300 s window, business webhooks only
//   try {
//     auto verified = verifier.verify_request(body, request_header("X-Qonto-Signature"),
//                                             request_header("Qonto-SHA256-Signature"));
//   } catch (const qonto_webhooks::Error &e) {
//     respond(400, e.code());                             // e.what(): what was wrong, what to do
//   }
//
// Configure a Verifier (set_schemes) before sharing it; then share it between threads (const
// methods only).
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
/// The widest window a tolerance may give (INT64_MAX s); a larger value (a -1 converted to
/// uint64_t) is the error invalid_argument, never "no window".
inline constexpr std::uint64_t max_tolerance = QW_MAX_TOLERANCE_SECS;

/// The type of no_tolerance.
struct no_tolerance_t {
  explicit constexpr no_tolerance_t() = default;
};
/// Pass instead of a tolerance to switch the replay window off: re-verifying archived events
/// only (a live endpoint without a window accepts a captured webhook forever). No number does it.
inline constexpr no_tolerance_t no_tolerance{};

/// The scheme a webhook was verified under.
enum class Scheme : std::uint32_t {
  business = QW_SCHEME_BUSINESS,      ///< X-Qonto-Signature: t=...,v1=..., with a replay window
  onboarding = QW_SCHEME_ONBOARDING,  ///< Qonto-SHA256-Signature: <hex>, no timestamp
};

/// The schemes verify_request and start_request accept (Verifier::set_schemes). The default is
/// business only: accepting onboarding webhooks (or both) must be said.
enum class Schemes : std::uint32_t {
  business = QW_SCHEMES_BUSINESS,
  onboarding = QW_SCHEMES_ONBOARDING,
  /// The business header when present and not blank, else the onboarding one. Use a different
  /// secret for each scheme: with one secret, a business webhook replays as an onboarding one.
  both = QW_SCHEMES_BOTH,
};

/// A secret argument: a std::string_view, a std::string or a C string (a NULL one is empty, so
/// invalid_secret). A literal 0 or nullptr does not compile: it cannot become a secret by
/// accident (0 would otherwise be a null C string).
class Secret {
 public:
  Secret(std::string_view secret) noexcept : view_(secret) {}  // NOLINT(google-explicit-constructor)
  Secret(const std::string &secret) noexcept : view_(secret) {}  // NOLINT(google-explicit-constructor)
  Secret(const char *secret) noexcept  // NOLINT(google-explicit-constructor)
      : view_(secret != nullptr ? std::string_view(secret) : std::string_view()) {}
  Secret(int) = delete;
  Secret(std::nullptr_t) = delete;

  std::string_view view() const noexcept { return view_; }

 private:
  std::string_view view_;
};
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
  void operator()(qw_incremental *s) const noexcept { qw_incremental_free(s); }
};

}  // namespace detail

/// A successful verification.
struct Verified {
  /// Which secret matched: the index of the first one, in the order given.
  std::size_t secret_index;
  /// The header's t (unix seconds) for a business webhook; empty for onboarding.
  std::optional<std::uint64_t> timestamp;
  /// The scheme the webhook was verified under.
  Scheme scheme;
};

inline Verified to_verified(const qw_verified &v) {
  return Verified{v.secret_index,
                  v.has_timestamp ? std::optional<std::uint64_t>(v.timestamp) : std::nullopt,
                  v.scheme == QW_SCHEME_ONBOARDING ? Scheme::onboarding : Scheme::business};
}

namespace detail {
/// An optional header as the C ABI takes it: NULL (absent) or a pointer (maybe to "").
inline const std::uint8_t *header_ptr(const std::optional<std::string_view> &h) noexcept {
  if (!h) return nullptr;
  return h->data() != nullptr ? bytes(*h) : reinterpret_cast<const std::uint8_t *>("");
}
inline std::size_t header_len(const std::optional<std::string_view> &h) noexcept {
  return h ? h->size() : 0;
}
}  // namespace detail

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
  explicit Incremental(qw_incremental *state) : state_(state) {}

  qw_incremental *live() const {
    if (!state_) throw std::logic_error("qonto_webhooks::Incremental used after finish or move");
    return state_.get();
  }

  std::unique_ptr<qw_incremental, detail::StateDeleter> state_;
};

/// Verifies Qonto webhook signatures with one or more secrets (rotation: tried in order).
/// Movable, not copyable. Configure it (set_schemes) before sharing it; then it is only read,
/// so one verifier may be shared by threads.
///
///   Verifier v{secret};                                  // 300 s window
///   Verifier v{secret, 0};                               // a strict 0 s window
///   Verifier v{secret, no_tolerance};                    // no window: archived events only
///   auto v = Verifier::with_secrets({new_secret, old_secret});   // rotation
class Verifier {
 public:
  /// One secret, used byte for byte (a whsec_ secret whole, not base64-decoded), and a replay
  /// window of tolerance_secs either way. A tolerance above max_tolerance (a -1 converted to
  /// uint64_t) throws Error invalid_argument.
  explicit Verifier(Secret secret, std::uint64_t tolerance_secs = default_tolerance)
      : Verifier(&secret, 1, tolerance_secs, false) {}

  /// One secret, no replay window (re-verifying archived events only).
  Verifier(Secret secret, no_tolerance_t) : Verifier(&secret, 1, 0, true) {}

  /// Several secrets (rotation), tried in order; Verified::secret_index says which matched.
  /// A named factory, so that a braced {secret, 0} can only mean one secret and a 0 s window.
  static Verifier with_secrets(std::initializer_list<Secret> secrets,
                               std::uint64_t tolerance_secs = default_tolerance) {
    return Verifier(secrets.begin(), secrets.size(), tolerance_secs, false);
  }
  /// Several secrets, no replay window.
  static Verifier with_secrets(std::initializer_list<Secret> secrets, no_tolerance_t) {
    return Verifier(secrets.begin(), secrets.size(), 0, true);
  }
  /// Several secrets from a vector.
  static Verifier with_secrets(const std::vector<std::string> &secrets,
                               std::uint64_t tolerance_secs = default_tolerance) {
    std::vector<Secret> views(secrets.begin(), secrets.end());
    return Verifier(views.data(), views.size(), tolerance_secs, false);
  }
  /// Several secrets from a vector, no replay window.
  static Verifier with_secrets(const std::vector<std::string> &secrets, no_tolerance_t) {
    std::vector<Secret> views(secrets.begin(), secrets.end());
    return Verifier(views.data(), views.size(), 0, true);
  }
  /// Several secrets from a vector.
  static Verifier with_secrets(const std::vector<std::string_view> &secrets,
                               std::uint64_t tolerance_secs = default_tolerance) {
    std::vector<Secret> views(secrets.begin(), secrets.end());
    return Verifier(views.data(), views.size(), tolerance_secs, false);
  }
  /// Several secrets from a vector, no replay window.
  static Verifier with_secrets(const std::vector<std::string_view> &secrets, no_tolerance_t) {
    std::vector<Secret> views(secrets.begin(), secrets.end());
    return Verifier(views.data(), views.size(), 0, true);
  }

  /// Sets the schemes verify_request and start_request accept (business only by default). Call
  /// it before sharing the verifier. Returns *this.
  Verifier &set_schemes(Schemes schemes) {
    detail::check(qw_verifier_set_schemes(live_mut(), static_cast<std::uint32_t>(schemes)));
    return *this;
  }

  /// Verifies a request from the two headers it may carry (std::nullopt: absent), under the
  /// schemes this verifier accepts: the configuration picks the header, never the request.
  /// `body` is the raw request body, byte for byte; `now` the clock for a business webhook.
  /// Throws Error (missing_header when no accepted header is present).
  Verified verify_request(std::string_view body, std::optional<std::string_view> business,
                          std::optional<std::string_view> onboarding, std::uint64_t now) const {
    qw_verified out{};
    detail::check(qw_verify_request(live(), detail::bytes(body), body.size(),
                                    detail::header_ptr(business), detail::header_len(business),
                                    detail::header_ptr(onboarding),
                                    detail::header_len(onboarding), now, &out));
    return to_verified(out);
  }

  /// verify_request() against the system clock.
  Verified verify_request(std::string_view body, std::optional<std::string_view> business,
                          std::optional<std::string_view> onboarding) const {
    qw_verified out{};
    detail::check(qw_verify_request_now(live(), detail::bytes(body), body.size(),
                                        detail::header_ptr(business), detail::header_len(business),
                                        detail::header_ptr(onboarding),
                                        detail::header_len(onboarding), &out));
    return to_verified(out);
  }

  /// Starts verifying a request whose body arrives in pieces, choosing the header as
  /// verify_request() does. Throws Error.
  Incremental start_request(std::optional<std::string_view> business,
                            std::optional<std::string_view> onboarding, std::uint64_t now) const {
    qw_incremental *state = nullptr;
    detail::check(qw_verify_start_request(live(), detail::header_ptr(business),
                                          detail::header_len(business),
                                          detail::header_ptr(onboarding),
                                          detail::header_len(onboarding), now, &state));
    return Incremental(state);
  }

  /// start_request() against the system clock.
  Incremental start_request(std::optional<std::string_view> business,
                            std::optional<std::string_view> onboarding) const {
    qw_incremental *state = nullptr;
    detail::check(qw_verify_start_request_now(live(), detail::header_ptr(business),
                                              detail::header_len(business),
                                              detail::header_ptr(onboarding),
                                              detail::header_len(onboarding), &state));
    return Incremental(state);
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
    qw_incremental *state = nullptr;
    detail::check(qw_verify_start(live(), detail::bytes(header), header.size(), now, &state));
    return Incremental(state);
  }

  /// start() against the system clock.
  Incremental start(std::string_view header) const {
    qw_incremental *state = nullptr;
    detail::check(qw_verify_start_now(live(), detail::bytes(header), header.size(), &state));
    return Incremental(state);
  }

  /// Starts an onboarding verification for a body read in pieces.
  Incremental start_onboarding(std::string_view header) const {
    qw_incremental *state = nullptr;
    detail::check(
        qw_verify_start_onboarding(live(), detail::bytes(header), header.size(), &state));
    return Incremental(state);
  }

 private:
  Verifier(const Secret *secrets, std::size_t count, std::uint64_t tolerance_secs, bool no_window) {
    std::vector<qw_bytes> raw;
    raw.reserve(count);
    for (std::size_t i = 0; i < count; i++) {
      std::string_view s = secrets[i].view();
      raw.push_back(qw_bytes{detail::bytes(s), s.size()});
    }
    qw_verifier *v = nullptr;
    detail::check(qw_verifier_new(raw.data(), raw.size(), tolerance_secs, &v));
    verifier_.reset(v);
    if (no_window) detail::check(qw_verifier_disable_tolerance(v));
  }

  const qw_verifier *live() const {
    if (!verifier_) throw std::logic_error("qonto_webhooks::Verifier used after move");
    return verifier_.get();
  }

  qw_verifier *live_mut() {
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

/// One explanation of a failed verification (diagnose()).
struct Finding {
  /// The stable code of the mistake: "secret_base64", "body_reserialized", ..., "wrong_secret".
  std::string mistake;
  /// What was found and how to fix it (never the secret or the expected signature).
  std::string message;
};

/// What diagnose() says: the verdict for the input as given and the known mistakes behind it.
struct Diagnosis {
  /// The verdict: QW_STATUS_OK or the contract's status.
  qw_status status;
  /// The verification, when status is QW_STATUS_OK.
  std::optional<Verified> verified;
  /// The verdict's detailed message; empty when it verifies.
  std::string message;
  /// Whether a known mistake (other than wrong_secret) explains the failure.
  bool explained;
  /// The explanations, most specific first; empty when it verifies.
  std::vector<Finding> findings;

  bool ok() const noexcept { return status == QW_STATUS_OK; }
  /// The verdict's stable code ("ok", "signature_mismatch", ...).
  const char *code() const noexcept { return qw_status_code(status); }
};

namespace detail {
struct DiagnosisDeleter {
  void operator()(qw_diagnosis *d) const noexcept { qw_diagnosis_free(d); }
};

inline Diagnosis diagnose(const std::vector<Secret> &secrets, Scheme scheme,
                          std::string_view header, std::string_view body, std::uint64_t now,
                          std::uint64_t tolerance_secs, bool no_window) {
  std::vector<qw_bytes> raw;
  raw.reserve(secrets.size());
  for (const Secret &secret : secrets) {
    std::string_view s = secret.view();
    raw.push_back(qw_bytes{bytes(s), s.size()});
  }
  qw_diagnosis *d = nullptr;
  check(qw_diagnose(raw.data(), raw.size(), static_cast<std::uint32_t>(scheme), bytes(header),
                    header.size(), bytes(body), body.size(), now, tolerance_secs, no_window, &d));
  std::unique_ptr<qw_diagnosis, DiagnosisDeleter> owned(d);
  Diagnosis out{QW_STATUS_OK, std::nullopt, qw_diagnosis_message(d), qw_diagnosis_explained(d),
                {}};
  qw_verified verified{};
  out.status = qw_diagnosis_result(d, &verified);
  if (out.status == QW_STATUS_OK) out.verified = to_verified(verified);
  std::size_t n = qw_diagnosis_findings_len(d);
  for (std::size_t i = 0; i < n; i++) {
    out.findings.push_back(
        Finding{qw_diagnosis_finding_mistake(d, i), qw_diagnosis_finding_message(d, i)});
  }
  return out;
}
}  // namespace detail

/// Says which known mistake explains why a webhook does not verify (a secret base64-decoded or
/// stripped of its whsec_ prefix, a re-serialised body, a trailing newline, the other scheme's
/// header, a timestamp in milliseconds, a skewed clock, ...): the same findings and codes as the
/// CLI's diagnose. For debugging an integration, not for the request path. `now` is the clock
/// for a business webhook. Throws Error only for invalid arguments: a failed verdict (an empty
/// secret included) is in the Diagnosis.
inline Diagnosis diagnose(const std::vector<Secret> &secrets, Scheme scheme,
                          std::string_view header, std::string_view body, std::uint64_t now,
                          std::uint64_t tolerance_secs = default_tolerance) {
  return detail::diagnose(secrets, scheme, header, body, now, tolerance_secs, false);
}

/// diagnose() without a replay window (archived events).
inline Diagnosis diagnose(const std::vector<Secret> &secrets, Scheme scheme,
                          std::string_view header, std::string_view body, std::uint64_t now,
                          no_tolerance_t) {
  return detail::diagnose(secrets, scheme, header, body, now, 0, true);
}

/// The library's version, e.g. "0.1.0".
inline std::string_view version() noexcept { return qw_version(); }

}  // namespace qonto_webhooks

#endif  // QONTO_WEBHOOKS_HPP
