package workload

import "testing"

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		ok   bool
	}{
		{"Defaults", Options{}, true},
		{"EnvMode", Options{TokenSource: TokenFromEnv}, true},
		{"AwkwardButAbsolute", Options{TokenFile: "/var/run/it's $x/token"}, true},
		{"ErrTokenSource", Options{TokenSource: "stdin"}, false},
		{"ErrRelativeTokenFile", Options{TokenFile: "token"}, false},
		{"ErrTokenFileNewline", Options{TokenFile: "/run/a\nb"}, false},
		{"ErrRelativeSecretFile", Options{ClientSecretFile: "secret"}, false},
		{"ErrServiceUser", Options{ServiceUser: "root; rm"}, false},
		{"ErrImage", Options{Image: "wifwiz latest"}, false},
		{"ErrDBPathControl", Options{DBPath: "/var/lib/a\x00"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.o.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
