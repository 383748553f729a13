# A policy whose unit tests partly fail: verify must report the failure like conftest verify.
package main

deny contains "Secrets are managed outside Git" if input.kind == "Secret"
