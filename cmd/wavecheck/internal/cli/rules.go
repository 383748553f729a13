package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/policy"
)

func newRulesCmd(g *globals) *cobra.Command {
	var format, version string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the built-in rules: id, severity and summary",
		Long: `rules lists the built-in rules from the rule pack's own metadata (the METADATA of
policy/rules/*.rego, the same source as docs/rules.md and the SARIF rule descriptors): the id
(for --ignore, the ignore key of .wavecheck.yaml and the wavecheck.io/ignore annotation), the
severity and a one-line summary. -o json adds the description, the fix and the reference link.`,
		Example: `  wavecheck rules
  wavecheck rules -o json | jq -r '.[] | select(.severity == "error") | .id'`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageError("parse -o %q: want text or json", format)
			}
			l, err := policy.New(cmd.Context(), policy.Options{ArgoCDVersion: version})
			if err != nil {
				return usageError("%v", err)
			}
			rules := l.Rules()
			if format == "json" {
				b, err := json.MarshalIndent(rules, "", "  ")
				if err != nil {
					return &ExitError{Code: ExitFailure, Err: fmt.Errorf("write rules: %w", err)}
				}
				_, err = fmt.Fprintf(g.stdout, "%s\n", b)
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			_, _ = fmt.Fprintln(tw, "ID\tSEVERITY\tSUMMARY")
			for _, r := range rules {
				_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "text or json")
	cmd.Flags().StringVar(&version, "argocd-version", argocd.Latest.String(), "Argo CD version whose behaviour the rules model")
	return cmd
}
