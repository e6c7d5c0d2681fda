// Compiled with `tsc --noEmit --strict` (tsconfig.json beside this file) by typed.test.mjs: the
// typed payloads as a user writes against them. `switch (event.type)` narrows every documented topic to its own event,
// `data.event` narrows to the documented names, the rest falls to UnknownTopicEvent.
import {
  Verifier,
  sign,
  decimalString,
  eventAction,
  type QontoEvent,
  type QontoEventMap,
  type UnknownTopicEvent,
  type TransactionEvent,
  type TransactionData,
  type TransactionEventName,
  type AccountEvent,
  type OrganizationEvent,
  type MembershipEvent,
  type ConsentRevocationEvent,
  type CardEvent,
  type CardAction,
  type CardData,
  type TransactionAction,
  type PaymentLinkEvent,
  type PaymentLinksConnectionEvent,
  type BeneficiaryEvent,
  type ClientInvoiceEvent,
  type TerminalPaymentEvent,
  type ClientEvent,
  type ProductEvent,
  type SepaDirectDebitMandateEvent,
  type SepaDirectDebitCollectionEvent,
  type Decimal,
  type Money,
  type BusinessEvent,
} from 'qonto-webhooks'
import * as web from 'qonto-webhooks/web'
import { describe } from './describe-event.js'


// Every documented topic narrows to its own event; what is left is the unknown-topic member.
function narrow(event: QontoEvent): string {
  switch (event.type) {
    case 'v1/transactions': {
      const e: TransactionEvent = event
      const amount: Decimal | null | undefined = e.data.amount
      return String(amount) + e.data.bank_account?.iban + e.data.transfer?.counterparty_account_number
    }
    case 'v1/accounts': {
      const e: AccountEvent = event
      const balance: Decimal | null | undefined = e.data.authorized_balance?.amount
      return String(balance)
    }
    case 'v1/organizations': {
      const e: OrganizationEvent = event
      const capital: Decimal | null | undefined = e.data.legal_share_capital
      return String(capital) + e.data.legal_registration_date
    }
    case 'v1/memberships': {
      const e: MembershipEvent = event
      return e.data.first_name ?? ''
    }
    case 'v1/consent-revocations': {
      const e: ConsentRevocationEvent = event
      return e.data.client_id ?? ''
    }
    case 'v1/cards': {
      const e: CardEvent = event
      const days: number[] | null | undefined = e.data.active_days
      const atm: boolean | null | undefined = e.data.atm_option
      return String(days) + String(atm)
    }
    case 'v1/payment-links': {
      const e: PaymentLinkEvent = event
      const amount: Money | null | undefined = e.data.amount
      return String(amount?.value) + JSON.stringify(e.data.resource_metadata)
    }
    case 'v1/payment-links-connections': {
      const e: PaymentLinksConnectionEvent = event
      return e.data.event ?? ''
    }
    case 'v1/beneficiaries': {
      const e: BeneficiaryEvent = event
      return e.data.iban ?? ''
    }
    case 'v1/client-invoices': {
      const e: ClientInvoiceEvent = event
      const quantity: Decimal | null | undefined = e.data.items?.[0]?.quantity
      return String(quantity) + e.data.items?.[0]?.discount?.amount?.value
    }
    case 'v1/terminal-payments': {
      const e: TerminalPaymentEvent = event
      return JSON.stringify(e.data.metadata) + e.data.tip_amount?.value
    }
    case 'v1/clients': {
      const e: ClientEvent = event
      return (e.data.phone?.number ?? '') + e.data.billing_address?.city
    }
    case 'v1/products': {
      const e: ProductEvent = event
      return String(e.data.unit_price) + e.data.links?.[0]?.url
    }
    case 'v1/sepa-direct-debit-mandates': {
      const e: SepaDirectDebitMandateEvent = event
      return e.data.unique_mandate_reference ?? ''
    }
    case 'v1/sepa-direct-debit-collections': {
      const e: SepaDirectDebitCollectionEvent = event
      return String(e.data.amount?.value) + e.data.collection_date
    }
    default: {
      const e: UnknownTopicEvent = event
      const data: Record<string, unknown> = e.data
      const topic: string = e.type
      return topic + Object.keys(data).join(',')
    }
  }
}

// Every topic of the map is a member of the union, and the union holds nothing else.
type Documented = QontoEventMap[keyof QontoEventMap]
const complete: [Exclude<QontoEvent, Documented | UnknownTopicEvent>] extends [never] ? true : false = true
const everyTopic: [Exclude<Documented, QontoEvent>] extends [never] ? true : false = true

// data.event: the documented names, bare and prefixed, are the case labels offered; an
// undocumented name is kept as sent. (TypeScript does not narrow an open union
// `'created' | ... | (string & {})` to one literal: switch on the names, or on eventAction.)
function transactionName(data: TransactionData): string {
  switch (data.event) {
    case 'created':
    case 'transactions.created':
      return 'created'
    case 'updated':
    case 'transactions.updated':
      return 'updated'
    case undefined:
      return 'none'
    default: {
      const sent: string = data.event
      return sent
    }
  }
}
// A handler map must name every documented action of its topic.
const onCard: Record<CardAction, (data: CardData) => string> = {
  created: (d) => `created ${d.id}`,
  activated: () => 'activated',
  unlocked: () => 'unlocked',
  locked: (d) => `locked ${d.masked_pan}`,
  nickname_updated: (d) => `nickname ${d.nickname}`,
  options_updated: () => 'options',
  limits_updated: (d) => `limits ${d.atm_daily_limit}`,
  restrictions_updated: () => 'restrictions',
  discarded: (d) => `discarded ${d.discarded_at}`,
  expired: () => 'expired',
}
function handleCard(event: CardEvent): string {
  const action = eventAction(event)
  return action !== undefined && Object.hasOwn(onCard, action) ? onCard[action as CardAction](event.data) : `other: ${action}`
}
// @ts-expect-error: 'updated' is missing
const incomplete: Record<TransactionAction, () => void> = { created: () => {} }
const names: TransactionEventName[] = ['created', 'updated', 'transactions.created', 'transactions.updated']
// @ts-expect-error: not a documented transaction event name
const notAName: TransactionEventName = 'locked'
const cardActions: CardAction[] = ['created', 'locked', 'nickname_updated', 'expired']
// @ts-expect-error: not a documented card action
const notAnAction: CardAction = 'cards.locked'

// eventAction's type: the topic's actions (open to others), or undefined.
function actions(tx: TransactionEvent, card: CardEvent) {
  const a: 'created' | 'updated' | (string & {}) | undefined = eventAction(tx)
  const b: CardAction | (string & {}) | undefined = eventAction(card)
  const c: string | undefined = eventAction('transactions.created')
  // @ts-expect-error: an action may be absent
  const d: string = eventAction(tx)
  return [a, b, c, d]
}

// Decimals are numbers or strings, never anything else.
const fromNumber: string = decimalString(50.01)
const fromString: string = decimalString('50.00')
// @ts-expect-error: a decimal is not a boolean
decimalString(true)

// constructEvent returns a QontoEvent; the generic parameter stays an escape hatch (unchecked).
const body = Buffer.from('{}')
const verifier = new Verifier('secret')
const header = sign('secret', body)
const constructed: QontoEvent = verifier.constructEvent(body, header)
const asOwnType = verifier.constructEvent<{ id: string; mine: true }>(body, header)
const mine: true = asOwnType.mine
const asBusiness: BusinessEvent = verifier.constructEvent(body, header)
const fromRequest = verifier.constructEventFromRequest(new Headers(), body)
if (fromRequest.scheme === 'business' && fromRequest.event.type === 'v1/transactions') {
  const a: Decimal | null | undefined = fromRequest.event.data.amount
  console.log(a)
}
async function edge(request: Request): Promise<string> {
  const event = await new web.Verifier('secret').constructEventAsync(await request.text(), request.headers.get('x-qonto-signature'))
  const text: string = web.decimalString(event.type === 'v1/transactions' ? (event.data.amount ?? 0) : 0)
  return describe(event) + text + web.eventAction(event)
}
// @ts-expect-error: data of a known topic is typed: an amount is not a boolean
const wrongType: boolean = (constructed as TransactionEvent).data.amount
// @ts-expect-error: a documented topic's type is its own literal
const wrongTopic: TransactionEvent = { ...(constructed as TransactionEvent), type: 'v1/cards' }

export {
  narrow,
  complete,
  everyTopic,
  transactionName,
  handleCard,
  incomplete,
  names,
  notAName,
  cardActions,
  notAnAction,
  actions,
  fromNumber,
  fromString,
  mine,
  asBusiness,
  edge,
  wrongType,
  wrongTopic,
}
