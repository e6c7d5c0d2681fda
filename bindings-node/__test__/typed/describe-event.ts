// The README's "Typed payloads" example (between the snippet comments), type-checked by
// typed.test.mjs (tsc --strict, through payloads.ts) and run over every fixture by
// payloads.test.mjs (transpiled to JavaScript).
import { decimalString, eventAction, type QontoEvent } from 'qonto-webhooks'

// snippet:start handler
// What a handler does with each topic: `switch (event.type)` narrows `event.data`.
export function describe(event: QontoEvent): string {
  switch (event.type) {
    case 'v1/transactions': {
      const tx = event.data // TransactionData
      // An amount is the JSON value as sent (50.01 or "50.00"): decimalString gives its text.
      const amount = tx.amount == null ? '?' : decimalString(tx.amount)
      return `transaction ${eventAction(event)}: ${amount} ${tx.currency ?? ''}`
    }
    case 'v1/cards':
      // data.event is 'locked' or 'cards.locked' (Qonto's lists and examples disagree);
      // eventAction gives 'locked' for both.
      return eventAction(event) === 'locked' ? `card ${event.data.masked_pan} locked` : 'card'
    case 'v1/payment-links': {
      const value = event.data.amount?.value
      return `payment link ${value == null ? '?' : decimalString(value)}`
    }
    default:
      // Other topics, documented or not: event.data is a record of unknown values.
      return `${event.type}: ${eventAction(event) ?? 'no event'}`
  }
}
// snippet:end handler
