package main

test_missing_team_warns if {
	count(warn) == 1 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}}
}

test_team_label_passes if {
	count(warn) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"team": "a"}}}
}

# Fails on purpose.
test_wrong_expectation if {
	print("evaluating the wrong expectation")
	count(warn) == 2 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}}
}

todo_test_later if {
	false
}
