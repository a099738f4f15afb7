/*
 * RI002 suppression-unknown-rule: an ignore-check.readyinstall.io/<rule>
 * annotation naming no rule of the catalogue (a typo suppresses nothing).
 * Found by the runner's annotation pass (lint.c).
 */
#include "lint_int.h"

const lint_rule lint_rule_suppression_unknown_rule = {
    "RI002",
    "suppression-unknown-rule",
    LINT_SEV_WARNING,
    "A suppression annotation names no known rule.",
    "An " LINT_ANNOT_IGNORE "<rule> annotation whose <rule> is neither a "
    "rule id (RI201) nor a rule name (webhook-admits-same-release). It "
    "suppresses nothing; fix the name.",
    NULL,
};
