module github.com/qonto-webhooks/qonto-webhooks/bindings-go

go 1.22
