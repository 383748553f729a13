// Package helmoci tests wavecheck's Helm dependency build and the pull of Applications' charts
// (render.PullChart) against a real OCI registry (distribution/distribution, the registry
// Helm's own tests run) started on 127.0.0.1. It is a nested module so that the registry's
// dependencies never reach the product's go.mod.
package helmoci
