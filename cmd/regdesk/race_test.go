//go:build race

package main

// raceBuild: the test binary runs with the race detector, so the regdesk
// binary the end-to-end tests drive is built with it too.
const raceBuild = true
