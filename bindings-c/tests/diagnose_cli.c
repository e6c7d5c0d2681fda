/* qw_diagnose with the CLI's arguments and output: `qonto-webhooks diagnose` through the C ABI.
 * Usage: diagnose_cli [--scheme business|onboarding] --secret S... --header H --now UNIX
 *                     [--tolerance SECS | --no-tolerance] FILE
 * tests/diagnose_agree.py runs it beside the CLI and compares what both print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qonto_webhooks.h"

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      unsigned char *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) free(buf);
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  qw_bytes secrets[QW_MAX_SECRETS + 1];
  size_t n_secrets = 0;
  uint32_t scheme = QW_SCHEME_BUSINESS;
  const char *header = "", *file = NULL;
  unsigned long long now = 0, tolerance = QW_DEFAULT_TOLERANCE_SECS;
  bool no_tolerance = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has_value = i + 1 < argc;
    if (strcmp(a, "--scheme") == 0 && has_value) {
      scheme = strcmp(argv[++i], "onboarding") == 0 ? QW_SCHEME_ONBOARDING : QW_SCHEME_BUSINESS;
    } else if (strcmp(a, "--secret") == 0 && has_value) {
      i++;
      if (n_secrets <= QW_MAX_SECRETS) {
        secrets[n_secrets++] = (qw_bytes){(const uint8_t *)argv[i], strlen(argv[i])};
      }
    } else if (strcmp(a, "--header") == 0 && has_value) {
      header = argv[++i];
    } else if (strcmp(a, "--now") == 0 && has_value) {
      now = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(a, "--tolerance") == 0 && has_value) {
      tolerance = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(a, "--no-tolerance") == 0) {
      no_tolerance = true;
    } else {
      file = a;
    }
  }
  size_t body_len = 0;
  unsigned char *body = file != NULL ? read_file(file, &body_len) : NULL;
  if (body == NULL) {
    fprintf(stderr, "usage: diagnose_cli --secret S --header H --now UNIX FILE\n");
    return 2;
  }
  qw_diagnosis *d = NULL;
  qw_status status = qw_diagnose(secrets, n_secrets, scheme, (const uint8_t *)header,
                                 strlen(header), body, body_len, now, tolerance, no_tolerance, &d);
  free(body);
  if (status != QW_STATUS_OK) {
    fprintf(stderr, "qw_diagnose: %s\n", qw_status_code(status));
    return 2;
  }
  qw_verified verified;
  int rc = 1;
  qw_status verdict = qw_diagnosis_result(d, &verified);
  if (verdict == QW_STATUS_OK) {
    printf("ok secret=%zu: it verifies, nothing to diagnose\n", verified.secret_index);
    rc = 0;
  } else {
    printf("error[%s]: %s\n", qw_status_code(verdict), qw_diagnosis_message(d));
    size_t n = qw_diagnosis_findings_len(d);
    if (n == 0) {
      printf("no known mistake applies: the error above says what is wrong with the header\n");
    }
    const char *label = qw_diagnosis_explained(d) ? "cause" : "no known mistake";
    for (size_t i = 0; i < n; i++) {
      printf("%s [%s]: %s\n", label, qw_diagnosis_finding_mistake(d, i),
             qw_diagnosis_finding_message(d, i));
    }
    if (qw_diagnosis_finding_mistake(d, n) != NULL) rc = 3; /* out of range must be NULL */
  }
  qw_diagnosis_free(d);
  return rc;
}
