/* pwpolicy.h - the rules a new password must meet, from the config:
 * Rocket.Chat's password policy (packages/password-policies; its rule
 * names, reasons and pw.getPolicy shape), with our length limits always
 * on and the character rules when password_policy_enabled. */
#ifndef MA_PWPOLICY_H
#define MA_PWPOLICY_H

#include <json-c/json.h>

/* pw.getPolicy's payload: {enabled, policy: [[name, {param}], ...]}.
 * New object, caller owns. */
json_object *pwpolicy_json(void);

/* The reasons PASSWORD (plain UTF-8) breaks the policy: an array of
 * {error: "error-password-policy-not-met-<rule>", message}; empty for a
 * password of whitespace only (refused, as Rocket.Chat does, without a
 * rule). NULL when the password meets every rule. Caller owns. */
json_object *pwpolicy_check(const char *password);

#endif
