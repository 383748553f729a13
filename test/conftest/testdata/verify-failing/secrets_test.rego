package main

test_secret_denied if {
	deny["Secrets are managed outside Git"] with input as {"kind": "Secret"}
}

# Wrong on purpose: ConfigMaps are allowed, so this test fails.
test_configmap_denied if {
	deny["Secrets are managed outside Git"] with input as {"kind": "ConfigMap"}
}
