module github.com/qonto-webhooks/qonto-webhooks/conformance/go

go 1.22

require github.com/qonto-webhooks/qonto-webhooks/bindings-go v0.0.0

replace github.com/qonto-webhooks/qonto-webhooks/bindings-go => ../../bindings-go
