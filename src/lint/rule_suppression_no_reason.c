/*
 * RI001 suppression-no-reason: an ignore-check.readyinstall.io/<rule>
 * annotation with an empty value. The suppression still applies (the
 * intent is plain), but the missing reason is reported. Found by the
 * runner's annotation pass (lint.c), which cannot itself be suppressed by
 * annotation; the config file can turn it off or ignore it.
 */
#include "lint_int.h"

const lint_rule lint_rule_suppression_no_reason = {
    "RI001",
    "suppression-no-reason",
    LINT_SEV_WARNING,
    "A suppression annotation gives no reason.",
    "An " LINT_ANNOT_IGNORE "<rule> annotation whose value is empty. The "
    "finding it names is still suppressed, but a suppression without a "
    "reason cannot be reviewed: write why the hazard does not apply as the "
    "annotation's value.",
    NULL,
};
