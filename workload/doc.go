// Package workload renders what a workload needs to use a connection: the environment block in
// several formats (shell, dotenv, Kubernetes, systemd), token refresh setups (the wifwiz token
// command, a systemd unit, a Kubernetes sidecar, a curl+jq script) and the hand-off checklist in
// Markdown. It is pure: no I/O, no clock (times are passed in), and it never resolves a secret
// reference.
//
// Placeholders: a Console ID that is not recorded yet is still rendered, with an obvious
// placeholder value that Anthropic rejects (fdrl_…, svac_…, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)
// and a "TODO:" comment on the line above saying where to copy it from. Comments always go on
// their own line above the value, never after it, because systemd EnvironmentFiles and several
// dotenv dialects do not accept trailing comments. A recorded value that looks like a token or an
// API key is never rendered: it is treated as not recorded.
package workload
