"""Bank statement parsing: CAMT.053, MT940 and OFX into one shape, with keys that make imports idempotent.

The example files in docs/examples are documentation for users, so they are parsed here line by line.
Bad files must fail with a StatementError that names the entry (or place) and the field.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.core.money import Money
from recoup.imports.statements import (
    MAX_FILE_BYTES,
    MAX_KEY_LENGTH,
    Statement,
    StatementError,
    StatementLine,
    detect_format,
    parse_statement,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
CAMT_EXAMPLE = EXAMPLES / "bank-statement.camt053.xml"
MT940_EXAMPLE = EXAMPLES / "bank-statement.mt940"
OFX_EXAMPLE = EXAMPLES / "bank-statement.ofx"
ALL_EXAMPLES = [CAMT_EXAMPLE, MT940_EXAMPLE, OFX_EXAMPLE]


@dataclass(frozen=True)
class Expected:
    position: int
    amount: str
    booked_on: date
    value_date: date | None
    reference: str
    counterparty: str
    bank_reference: str


def summary(line: StatementLine) -> Expected:
    return Expected(
        line.position,
        str(line.amount.amount),
        line.booked_on,
        line.value_date,
        line.reference,
        line.counterparty,
        line.bank_reference,
    )


def failure(data: bytes, **kwargs: str) -> StatementError:
    with pytest.raises(StatementError) as caught:
        parse_statement(data, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --------------------------------------------------------------------------------------------------
# Builders for small files
# --------------------------------------------------------------------------------------------------


def camt(entries: str, *, version: str = "02", account: str = "<IBAN>GB29NWBK60161331926819</IBAN>") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2025-03-14T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <CreDtTm>2025-03-14T18:00:00</CreDtTm>
      <Acct><Id>{account}</Id><Ccy>GBP</Ccy></Acct>
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def ntry(
    *,
    amount: str = '<Amt Ccy="GBP">10.00</Amt>',
    indicator: str = "<CdtDbtInd>CRDT</CdtDbtInd>",
    status: str = "<Sts>BOOK</Sts>",
    booked: str = "<BookgDt><Dt>2025-03-14</Dt></BookgDt>",
    reference: str = "<AcctSvcrRef>REF-1</AcctSvcrRef>",
    details: str = "",
) -> str:
    return f"<Ntry>{amount}{indicator}{status}{booked}{reference}{details}</Ntry>"


def tx(name: str = "Jane Payer", remittance: str = "TOF/01234567") -> str:
    return (
        "<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls>"
    )


def mt940(lines: str, *, opening: str = "C250313GBP100,00", closing: str = "C250314GBP150,00") -> bytes:
    return (
        f":20:STMT250314\n:25:GB82WEST12345698765432\n:28C:7/1\n:60F:{opening}\n{lines}:62F:{closing}\n-\n"
    ).encode()


OFX_SGML_HEADER = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
    "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)


def ofx_sgml(transactions: str, *, currency: str = "USD", pending: str = "") -> str:
    return (
        f"{OFX_SGML_HEADER}<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<DTSERVER>20250315<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        f"<STMTRS><CURDEF>{currency}\n<BANKACCTFROM><BANKID>031000053<ACCTID>8204417731<ACCTTYPE>CHECKING"
        "</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20250301<DTEND>20250331\n"
        f"{transactions}</BANKTRANLIST>\n{pending}"
        "<LEDGERBAL><BALAMT>100.00<DTASOF>20250331</LEDGERBAL>\n</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n"
    )


def stmttrn(amount: str, *, fitid: str = "", name: str = "", memo: str = "", posted: str = "20250303") -> str:
    parts = [f"<STMTTRN><TRNTYPE>{'CREDIT' if not amount.startswith('-') else 'DEBIT'}"]
    parts.append(f"<DTPOSTED>{posted}<TRNAMT>{amount}")
    if fitid:
        parts.append(f"<FITID>{fitid}")
    if name:
        parts.append(f"<NAME>{name}")
    if memo:
        parts.append(f"<MEMO>{memo}")
    parts.append("</STMTTRN>\n")
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# The example files
# --------------------------------------------------------------------------------------------------


class TestCamtExample:
    def test_statement_header(self) -> None:
        statement = parse_statement(CAMT_EXAMPLE.read_bytes())
        assert (statement.format, statement.account, statement.currency) == ("camt053", "GB29NWBK60161331926819", "GBP")
        assert statement.statement_id == "GB29NWBK60161331926819-20250314"
        assert statement.skipped_pending == 1

    def test_booked_lines(self) -> None:
        day = date(2025, 3, 14)
        assert [summary(line) for line in parse_statement(CAMT_EXAMPLE.read_bytes()).lines] == [
            Expected(1, "1480.00", day, day, "NIS-C4417093", "Harbour Lane Joinery Ltd", "NWB25073A0001842"),
            Expected(
                2,
                "250.00",
                day,
                day,
                "NIS-C2093318 PART PAYMENT MARCH",
                "Calder Valley Fabrications Ltd",
                "NWB25073A0001843",
            ),
            Expected(3, "612.40", day, date(2025, 3, 13), "NIS-C7720154", "Moorside Plant Hire", "NWB25073A0001844"),
            Expected(4, "-85.00", day, day, "NIS-REFUND-0314-01", "Pennine Tooling Ltd", "NWB25073A0001845"),
            Expected(6, "750.00", day, day, "NIS-C3308561", "Ashworth Engineering Ltd", "NWB25073B0000311"),
            Expected(6, "500.00", day, day, "NIS-C6194420 INV 88213", "Brindley Metalworks Ltd", "NWB25073B0000311"),
        ]

    def test_money_signs_and_remittance(self) -> None:
        lines = parse_statement(CAMT_EXAMPLE.read_bytes()).lines
        assert lines[0].amount == Money.of("1480.00", "GBP")
        assert [line.is_credit for line in lines] == [True, True, True, False, True, True]
        assert lines[0].remittance == "Payment for account NIS-C4417093"
        assert lines[2].remittance == ""
        assert lines[3].remittance == "Refund of overpayment NIS-C5561207"
        # A structured reference alone still shows in the remittance text.
        assert lines[4].remittance == "NIS-C3308561"

    def test_batch_booking_gives_one_line_per_transaction_with_its_own_key(self) -> None:
        lines = parse_statement(CAMT_EXAMPLE.read_bytes()).lines
        batch = [line for line in lines if line.position == 6]
        assert sum((line.amount for line in batch), Money.zero("GBP")) == Money.of("1250.00", "GBP")
        assert batch[0].line_key != batch[1].line_key
        assert batch[0].line_key.endswith(":tx1")


class TestMt940Example:
    def test_statement_header(self) -> None:
        statement = parse_statement(MT940_EXAMPLE.read_bytes())
        assert (statement.format, statement.account, statement.currency) == ("mt940", "GB82WEST12345698765432", "GBP")
        assert statement.statement_id == "TOF250314001/00062/001"
        assert statement.skipped_pending == 0

    def test_lines(self) -> None:
        day = date(2025, 3, 14)
        assert [summary(line) for line in parse_statement(MT940_EXAMPLE.read_bytes()).lines] == [
            Expected(
                1, "185.00", day, day, "TOF/04825193 MARCH INSTALMENT", "MRS ELAINE J CARTWRIGHT", "WS25073000913"
            ),
            Expected(2, "60.00", day, day, "TOF/01937720", "DANIEL OKONKWO", "WS25073000914"),
            Expected(3, "42.50", day, day, "BANK GIRO CREDIT REF TOF/07346612 P HALLORAN", "", "WS25073000915"),
            Expected(
                4, "320.00", day, day, "TOF/05588301", "MR CHRISTOPHER ALEXANDER WHITTINGTON-BAKER", "WS25073000916"
            ),
            Expected(
                5,
                "-1250.00",
                day,
                day,
                "TRANSFER TO OPERATING ACCOUNT",
                "THISTLE AND OAK PERSONAL FINANCE LTD",
                "WS25073000917",
            ),
        ]

    def test_remittance_keeps_the_sepa_keywords_readable(self) -> None:
        lines = parse_statement(MT940_EXAMPLE.read_bytes()).lines
        assert lines[0].remittance == "EREF+NOTPROVIDED SVWZ+TOF/04825193 MARCH INSTALMENT"
        assert lines[2].remittance == "BANK GIRO CREDIT REF TOF/07346612 P HALLORAN"


class TestOfxExample:
    def test_statement_header(self) -> None:
        statement = parse_statement(OFX_EXAMPLE.read_bytes())
        assert (statement.format, statement.account, statement.currency) == ("ofx", "8204417731", "USD")
        assert statement.statement_id == "20250314..20250314"

    def test_lines(self) -> None:
        day = date(2025, 3, 14)
        assert [summary(line) for line in parse_statement(OFX_EXAMPLE.read_bytes()).lines] == [
            Expected(
                1, "150.00", day, date(2025, 3, 13), "ACH CREDIT KRP-30418857", "MARIA L GONZALEZ", "202503140000417"
            ),
            Expected(
                2, "75.25", day, None, "Zelle payment ref KRP-72093314", "SMITH & SONS PLUMBING LLC", "202503140000418"
            ),
            Expected(
                3,
                "400.00",
                day,
                date(2025, 3, 17),
                "CHECK 1047 KRP-11852046 R WHITFIELD",
                "MOBILE DEPOSIT",
                "202503140000419",
            ),
            Expected(
                4,
                "-1200.00",
                day,
                None,
                "Remittance to client Mercy Valley Health System",
                "ONLINE TRANSFER TO CHK 5521",
                "202503140000420",
            ),
            # Posted 20:15 Eastern: the bank's own calendar day, not the UTC one (01:15 on the 15th).
            Expected(5, "89.90", day, None, "KRP-64410927", "WEB PMT DARNELL T HUGHES", "202503140000421"),
        ]


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda path: path.name)
class TestEveryExample:
    def test_detected(self, path: Path) -> None:
        assert detect_format(path.read_bytes()) == parse_statement(path.read_bytes()).format

    def test_keys_are_stable_across_parses_and_distinct_between_lines(self, path: Path) -> None:
        first = [line.line_key for line in parse_statement(path.read_bytes()).lines]
        second = [line.line_key for line in parse_statement(path.read_bytes()).lines]
        assert first == second
        assert len(set(first)) == len(first)

    def test_keys_name_the_format_account_and_bank_reference(self, path: Path) -> None:
        statement = parse_statement(path.read_bytes())
        for line in statement.lines:
            assert line.account == statement.account
            assert line.line_key.startswith(f"{statement.format}:{statement.account}:ref:")
            assert line.bank_reference in line.line_key

    def test_amounts_are_exact_money_in_the_statement_currency(self, path: Path) -> None:
        statement = parse_statement(path.read_bytes())
        for line in statement.lines:
            assert isinstance(line.amount, Money)
            assert line.amount.currency == statement.currency

    def test_explicit_format_gives_the_same_statement(self, path: Path) -> None:
        detected = parse_statement(path.read_bytes())
        assert parse_statement(path.read_bytes(), format=detected.format) == detected


# --------------------------------------------------------------------------------------------------
# CAMT variants
# --------------------------------------------------------------------------------------------------

CAMT_V08_ENTRIES = """
<Ntry>
  <Amt Ccy="GBP">95.00</Amt>
  <CdtDbtInd>CRDT</CdtDbtInd>
  <Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><DtTm>2025-03-14T23:30:00+00:00</DtTm></BookgDt>
  <ValDt><Dt>2025-03-15</Dt></ValDt>
  <AcctSvcrRef>V8-0001</AcctSvcrRef>
  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
  <NtryDtls>
    <TxDtls>
      <Refs><EndToEndId>E2E-778</EndToEndId></Refs>
      <Amt Ccy="GBP">95.00</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties><Dbtr><Pty><Nm>Priya Raman</Nm></Pty></Dbtr></RltdPties>
      <RmtInf>
        <Ustrd>March</Ustrd>
        <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>TOF/04417093</Ref></CdtrRefInf></Strd>
      </RmtInf>
    </TxDtls>
  </NtryDtls>
</Ntry>
<Ntry>
  <Amt Ccy="GBP">40.00</Amt>
  <CdtDbtInd>CRDT</CdtDbtInd>
  <Sts><Cd>PDNG</Cd></Sts>
  <ValDt><Dt>2025-03-17</Dt></ValDt>
</Ntry>
<Ntry>
  <Amt Ccy="GBP">12.50</Amt>
  <CdtDbtInd>DBIT</CdtDbtInd>
  <Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>2025-03-14</Dt></BookgDt>
  <AcctSvcrRef>V8-0002</AcctSvcrRef>
  <NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>Bank charges</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls>
</Ntry>
"""


class TestCamtVariants:
    def test_version_08_status_code_party_and_date_time(self) -> None:
        statement = parse_statement(camt(CAMT_V08_ENTRIES, version="08", account="<Othr><Id>40123456</Id></Othr>"))
        assert statement.account == "40123456"
        assert statement.skipped_pending == 1
        credit, charge = statement.lines
        assert (credit.position, charge.position) == (1, 3)
        assert credit.booked_on == date(2025, 3, 14)  # the date as the bank wrote it, whatever the time
        assert credit.value_date == date(2025, 3, 15)
        assert credit.counterparty == "Priya Raman"
        assert credit.reference == "TOF/04417093"
        assert credit.remittance == "March TOF/04417093"
        assert charge.amount == Money.of("-12.50", "GBP")
        assert charge.counterparty == "Bank charges"
        assert charge.value_date is None

    @pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
    def test_every_supported_version_is_read(self, version: str) -> None:
        statement = parse_statement(camt(ntry(details=tx()), version=version))
        assert [line.reference for line in statement.lines] == ["TOF/01234567"]

    def test_end_to_end_id_is_the_reference_when_there_is_no_structured_one(self) -> None:
        details = (
            "<NtryDtls><TxDtls><Refs><EndToEndId>LNB4417730912</EndToEndId></Refs>"
            "<RmtInf><Ustrd>card balance</Ustrd></RmtInf></TxDtls></NtryDtls>"
        )
        (line,) = parse_statement(camt(ntry(details=details))).lines
        assert (line.reference, line.remittance) == ("LNB4417730912", "card balance")

    def test_entry_without_details_uses_the_additional_entry_information(self) -> None:
        entry = ntry().replace("</Ntry>", "<AddtlNtryInf>GIRO CREDIT TOF/02938475</AddtlNtryInf></Ntry>")
        (line,) = parse_statement(camt(entry)).lines
        assert (line.reference, line.remittance, line.counterparty) == (
            "GIRO CREDIT TOF/02938475",
            "GIRO CREDIT TOF/02938475",
            "",
        )

    def test_information_only_entries_are_skipped_like_pending_ones(self) -> None:
        statement = parse_statement(camt(ntry(status="<Sts>INFO</Sts>") + ntry()))
        assert (statement.skipped_pending, len(statement.lines)) == (1, 1)

    def test_zero_decimal_currency(self) -> None:
        (line,) = parse_statement(camt(ntry(amount='<Amt Ccy="JPY">1500</Amt>'))).lines
        assert line.amount == Money.of(1500, "JPY")

    def test_several_statements_for_one_account_are_merged(self) -> None:
        second = (
            "</Stmt><Stmt><Id>STMT-2</Id><Acct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id><Ccy>GBP</Ccy></Acct>"
            + ntry(reference="<AcctSvcrRef>REF-2</AcctSvcrRef>")
        )
        statement = parse_statement(camt(ntry() + second))
        assert statement.statement_id == "STMT-1, STMT-2"
        assert [line.position for line in statement.lines] == [1, 2]

    def test_document_inside_an_envelope_with_an_application_header(self) -> None:
        document = camt(ntry(details=tx())).decode().split("?>", 1)[1]
        wrapped = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Envelope>'
            '<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><BizMsgIdr>B1</BizMsgIdr></AppHdr>'
            f"{document}</Envelope>"
        )
        (line,) = parse_statement(wrapped.encode()).lines
        assert line.reference == "TOF/01234567"

    def test_iso20022_xml_without_a_document(self) -> None:
        data = b'<Envelope xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><Other/></Envelope>'
        error = failure(data)
        assert (error.where, error.field) == ("file", "root element")
        assert "<Envelope> holds no ISO 20022 <Document>" in error.reason

    def test_statements_for_several_accounts_are_refused(self) -> None:
        second = "</Stmt><Stmt><Id>STMT-2</Id><Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id></Acct>" + ntry()
        error = failure(camt(ntry() + second))
        assert (error.where, error.field) == ("file", "account")
        assert "GB33BUKB20201555555555" in str(error)


# --------------------------------------------------------------------------------------------------
# MT940 variants
# --------------------------------------------------------------------------------------------------


class TestMt940Variants:
    def test_latin1_bytes_in_structured_details(self) -> None:
        data = mt940(
            ":61:2503140314C50,00NTRFNONREF//BR1\n"
            ":86:166?00GUTSCHRIFT?20EREF+NOTPROVIDED?21SVWZ+Zahlung für TOF/0123\n"
            "?224567?32Jürgen Müller-Lüdenscheidt?33 GmbH\n"
        ).decode("utf-8")
        (line,) = parse_statement(data.encode("latin-1")).lines
        assert line.counterparty == "Jürgen Müller-Lüdenscheidt GmbH"
        assert line.reference == "Zahlung für TOF/01234567"
        assert "für" in line.remittance

    def test_remittance_continued_in_sub_fields_60_to_63(self) -> None:
        data = mt940(
            ":61:2503140314C50,00NTRFNONREF//BR1\n:86:166?00GUTSCHRIFT?20SVWZ+TOF/0123?32A PAYER?604567 APRIL\n"
        )
        (line,) = parse_statement(data).lines
        assert (line.reference, line.counterparty) == ("TOF/01234567 APRIL", "A PAYER")

    def test_windows_1252_bytes_in_free_text(self) -> None:
        data = mt940(":61:2503140314C50,00NTRFNONREF//BR1\n:86:PAYMENT <euro> 50 FROM O<quote>NEILL\n")
        data = data.replace(b"<euro>", b"\x80").replace(b"<quote>", b"\x92")
        (line,) = parse_statement(data).lines
        assert line.remittance == "PAYMENT € 50 FROM O\u2019NEILL"

    def test_customer_reference_of_the_statement_line_is_used_before_free_text(self) -> None:
        data = mt940(":61:2503140314C50,00NTRFKRP-11852046//BR1\n:86:THANK YOU\n")
        (line,) = parse_statement(data).lines
        assert (line.reference, line.remittance) == ("KRP-11852046", "THANK YOU")

    def test_reversal_of_a_credit_takes_money_out(self) -> None:
        data = mt940(
            ":61:2503140314C80,00NTRFNONREF//BR1\n:86:PAYMENT\n:61:2503140314RC30,00NRTINONREF//BR2\n:86:RETURNED\n"
        )
        assert [str(line.amount.amount) for line in parse_statement(data).lines] == ["80.00", "-30.00"]

    def test_entry_date_is_the_booking_date_and_may_cross_the_year(self) -> None:
        data = mt940(
            ":61:2501020102C50,00NTRFNONREF//BR1\n:86:NEW YEAR PAYMENT\n",
            opening="C241231GBP100,00",
        )
        (line,) = parse_statement(data).lines
        assert (line.booked_on, line.value_date) == (date(2025, 1, 2), date(2025, 1, 2))
        late = mt940(":61:2501021231C50,00NTRFNONREF//BR1\n:86:BOOKED LAST YEAR\n", opening="C241230GBP100,00")
        (line,) = parse_statement(late).lines
        assert (line.booked_on, line.value_date) == (date(2024, 12, 31), date(2025, 1, 2))

    def test_swift_envelope_and_several_statements(self) -> None:
        first = mt940(":61:2503140314C50,00NTRFNONREF//BR1\n:86:ONE\n").decode()
        second = first.replace(":20:STMT250314", ":20:STMT250315").replace(":28C:7/1", ":28C:8/1")
        second = second.replace("//BR1", "//BR2").replace(":60F:C250313GBP100,00", ":60F:C250314GBP150,00")
        second = second.replace(":62F:C250314GBP150,00", ":62F:C250315GBP200,00")
        envelope = "{1:F01WESTGB2LAXXX0000000000}{2:O9401200250315WESTGB2LAXXXX00000000002503151200N}{4:\n"
        statement = parse_statement((envelope + first + "-}\n" + envelope + second + "-}\n").encode())
        assert statement.statement_id == "STMT250314/7/1, STMT250315/8/1"
        assert [(line.position, line.bank_reference) for line in statement.lines] == [(1, "BR1"), (2, "BR2")]

    def test_bank_references_repeated_in_one_file_fall_back_to_fingerprints(self) -> None:
        data = mt940(
            ":61:2503140314C25,00NTRFNONREF//SAME\n:86:A\n:61:2503140314C25,00NTRFNONREF//SAME\n:86:A\n",
        )
        keys = [line.line_key for line in parse_statement(data).lines]
        assert len(set(keys)) == 2
        assert all(":sha256:" in key for key in keys)


# --------------------------------------------------------------------------------------------------
# OFX variants
# --------------------------------------------------------------------------------------------------


class TestOfxVariants:
    def test_version_1_sgml_in_windows_1252(self) -> None:
        transactions = (
            "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250303120000[-5:EST]<DTUSER>20250302<TRNAMT>45,10<FITID>A1"
            "<NAME>JOSÉ PEÑA<MEMO>LNB4417730912\n</STMTTRN>\n"
            "<STMTTRN><TRNTYPE>CHECK<DTPOSTED>20250304<TRNAMT>-12.00<FITID>A2<REFNUM>778812<NAME>ACME &amp; CO"
            "</STMTTRN>\n"
        )
        statement = parse_statement(ofx_sgml(transactions).encode("cp1252"))
        assert (statement.format, statement.account, statement.statement_id) == (
            "ofx",
            "8204417731",
            "20250301..20250331",
        )
        first, second = statement.lines
        assert summary(first) == Expected(
            1, "45.10", date(2025, 3, 3), date(2025, 3, 2), "LNB4417730912", "JOSÉ PEÑA", "A1"
        )
        assert summary(second) == Expected(2, "-12.00", date(2025, 3, 4), None, "778812", "ACME & CO", "A2")

    def test_credit_card_statement_with_pending_transactions(self) -> None:
        text = ofx_sgml(
            stmttrn("19.99", fitid="C1", memo="MVH-4417093"),
            pending="<BANKTRANLISTP><DTASOF>20250331<STMTTRNP><TRNTYPE>DEBIT<DTTRAN>20250331<TRNAMT>-5.00"
            "<NAME>PENDING</STMTTRNP></BANKTRANLISTP>\n",
        )
        text = text.replace("BANKACCTFROM>", "CCACCTFROM>").replace("<STMTRS>", "<CCSTMTRS>")
        text = text.replace("</STMTRS>", "</CCSTMTRS>").replace("<BANKID>031000053", "")
        text = text.replace("<ACCTTYPE>CHECKING", "")
        statement = parse_statement(text.encode())
        assert statement.skipped_pending == 1
        assert [line.reference for line in statement.lines] == ["MVH-4417093"]

    def test_file_without_a_header(self) -> None:
        body = ofx_sgml(stmttrn("5.00", fitid="Q1", memo="KRP-30418857")).split("\n\n", 1)[1]
        assert detect_format(body.encode()) == "ofx"
        assert [line.reference for line in parse_statement(body.encode()).lines] == ["KRP-30418857"]

    def test_a_transaction_in_another_currency(self) -> None:
        trn = "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250303<TRNAMT>20.00<FITID>F1<CURRENCY><CURRATE>1.27"
        trn += "<CURSYM>GBP</CURRENCY></STMTTRN>\n"
        (line,) = parse_statement(ofx_sgml(trn).encode()).lines
        assert line.amount == Money.of("20.00", "GBP")


# --------------------------------------------------------------------------------------------------
# Keys: stable for the same booking, never shared by two different lines
# --------------------------------------------------------------------------------------------------

NAMES = st.sampled_from(["A SMITH", "B JONES", ""])
MEMOS = st.sampled_from(["LNB0000000001", "MVH-1234567", ""])
FITIDS = st.sampled_from(["", "F1", "F2", "F3", "F:4", "F%3A4"])


@st.composite
def ofx_transactions(draw: st.DrawFn) -> list[str]:
    rows = draw(
        st.lists(
            st.tuples(st.integers(-500, 500), st.integers(1, 3), NAMES, MEMOS, FITIDS),
            min_size=1,
            max_size=12,
        )
    )
    return [
        stmttrn(f"{cents / 100:.2f}", fitid=fitid, name=name, memo=memo, posted=f"2025030{day}")
        for cents, day, name, memo, fitid in rows
    ]


class TestLineKeys:
    @settings(max_examples=60, deadline=None)
    @given(ofx_transactions())
    def test_keys_are_stable_and_unique_whatever_the_lines(self, transactions: list[str]) -> None:
        data = ofx_sgml("".join(transactions)).encode()
        first = parse_statement(data)
        assert [line.line_key for line in first.lines] == [line.line_key for line in parse_statement(data).lines]
        assert len({line.line_key for line in first.lines}) == len(first.lines)
        assert all(len(line.line_key) <= MAX_KEY_LENGTH for line in first.lines)

    def test_keys_fit_a_database_column_even_for_very_long_bank_references(self) -> None:
        long_ids = ["A" * 250, "A" * 249 + "B"]
        data = ofx_sgml("".join(stmttrn("1.00", fitid=fitid) for fitid in long_ids)).encode()
        keys = [line.line_key for line in parse_statement(data).lines]
        assert all(len(key) <= MAX_KEY_LENGTH for key in keys)
        assert keys[0] != keys[1]
        assert keys == [line.line_key for line in parse_statement(data).lines]

    def test_the_same_booking_in_an_overlapping_file_keeps_its_key(self) -> None:
        payment = ntry(reference="", details=tx("Jane Payer", "TOF/01234567"))
        other = ntry(amount='<Amt Ccy="GBP">99.00</Amt>', reference="", details=tx("Other Payer", "TOF/07654321"))
        monday = parse_statement(camt(payment)).lines
        monday_and_tuesday = parse_statement(camt(other + payment)).lines
        assert monday[0].line_key == monday_and_tuesday[1].line_key
        assert monday[0].line_key != monday_and_tuesday[0].line_key

    def test_identical_twin_payments_get_different_keys(self) -> None:
        payment = ntry(reference="", details=tx())
        first, second = parse_statement(camt(payment + payment)).lines
        assert first.line_key != second.line_key
        assert ":sha256:" in first.line_key

    def test_a_colon_in_a_reference_cannot_make_two_keys_meet(self) -> None:
        a = parse_statement(camt(ntry(reference="<AcctSvcrRef>X:tx2</AcctSvcrRef>"))).lines[0]
        batch = ntry(
            reference="<AcctSvcrRef>X</AcctSvcrRef>",
            details="<NtryDtls>"
            + '<TxDtls><Amt Ccy="GBP">4.00</Amt></TxDtls><TxDtls><Amt Ccy="GBP">6.00</Amt></TxDtls>'
            + "</NtryDtls>",
        )
        b = parse_statement(camt(batch)).lines[1]
        assert a.line_key != b.line_key


# --------------------------------------------------------------------------------------------------
# Bad files: every error names the place and the field
# --------------------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&secret;</BkToCstmrStmt></Document>
"""


class TestXmlRefused:
    def test_truncated_xml(self) -> None:
        data = CAMT_EXAMPLE.read_bytes()
        error = failure(data[: len(data) // 2])
        assert error.where.startswith("line ")
        assert error.field == "XML"
        assert "cut off" in error.reason

    def test_malformed_xml(self) -> None:
        error = failure(camt(ntry()).replace(b"</Acct>", b"</Account>"))
        assert error.field == "XML"
        assert "closing tag" in error.reason

    @pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
    def test_dtd_and_entities(self, data: bytes) -> None:
        error = failure(data)
        assert (error.where, error.field) == ("file", "XML")
        assert "DTD" in error.reason

    @pytest.mark.parametrize(
        ("namespace", "says"),
        [
            ("urn:iso:std:iso:20022:tech:xsd:camt.054.001.02", "notification (camt.054)"),
            ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.09", "camt.053.001.09"),
            ("urn:example:not-a-statement", "urn:example:not-a-statement"),
        ],
    )
    def test_wrong_namespace(self, namespace: str, says: str) -> None:
        data = camt(ntry()).replace(b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", namespace.encode())
        error = failure(data, format="camt053")
        assert (error.where, error.field) == ("file", "namespace")
        assert says in str(error)
        assert "camt.053.001.02 to camt.053.001.08" in str(error)

    def test_no_namespace(self) -> None:
        error = failure(b"<?xml version='1.0'?><Document><BkToCstmrStmt/></Document>")
        assert error.field == "namespace"
        assert "no namespace" in error.reason


class TestCamtEntryErrors:
    def test_non_numeric_amount(self) -> None:
        error = failure(camt(ntry() + ntry(amount='<Amt Ccy="GBP">abc</Amt>')))
        assert str(error).startswith("entry 2: amount (Amt): 'abc' is not a number")

    def test_unknown_currency(self) -> None:
        error = failure(camt(ntry(amount='<Amt Ccy="XYZ">10.00</Amt>')))
        assert str(error) == "entry 1: currency (Amt/@Ccy): 'XYZ' is not an ISO 4217 currency code"

    def test_impossible_date(self) -> None:
        error = failure(camt(ntry(booked="<BookgDt><Dt>2025-02-31</Dt></BookgDt>")))
        assert str(error) == "entry 1: booking date (BookgDt): '2025-02-31' is not a real date"

    def test_missing_credit_debit_indicator(self) -> None:
        error = failure(camt(ntry(indicator="")))
        assert (error.where, error.field) == ("entry 1", "credit/debit indicator (CdtDbtInd)")
        assert "missing" in error.reason

    def test_unknown_credit_debit_indicator(self) -> None:
        error = failure(camt(ntry(indicator="<CdtDbtInd>CRED</CdtDbtInd>")))
        assert "'CRED' is neither CRDT" in str(error)

    def test_missing_amount(self) -> None:
        error = failure(camt(ntry(amount="")))
        assert (error.where, error.field, error.reason) == ("entry 1", "amount (Amt)", "missing")

    def test_missing_booking_date(self) -> None:
        error = failure(camt(ntry(booked="")))
        assert (error.where, error.field) == ("entry 1", "booking date (BookgDt)")

    def test_missing_status(self) -> None:
        error = failure(camt(ntry(status="")))
        assert (error.where, error.field) == ("entry 1", "status (Sts)")

    def test_more_decimals_than_the_currency_has(self) -> None:
        error = failure(camt(ntry(amount='<Amt Ccy="GBP">10.005</Amt>')))
        assert str(error) == "entry 1: amount (Amt): 10.005 has more decimal places than GBP allows (2)"

    def test_signed_amount(self) -> None:
        error = failure(camt(ntry(amount='<Amt Ccy="GBP">-10.00</Amt>')))
        assert "'-10.00' is not a number" in str(error)

    def test_batch_transaction_without_amount(self) -> None:
        details = "<NtryDtls><TxDtls/><TxDtls/></NtryDtls>"
        error = failure(camt(ntry(details=details)))
        assert (error.where, error.field) == ("entry 1, transaction 1", "amount (AmtDtls/TxAmt/Amt)")

    def test_missing_account(self) -> None:
        error = failure(camt(ntry(), account=""))
        assert (error.where, error.field) == ("statement 1", "account (Acct/Id)")

    def test_pending_entries_are_not_checked(self) -> None:
        pending = ntry(amount='<Amt Ccy="GBP">abc</Amt>', status="<Sts>PDNG</Sts>", booked="")
        statement = parse_statement(camt(pending + ntry()))
        assert (statement.skipped_pending, [line.position for line in statement.lines]) == (1, [2])


class TestMt940Errors:
    LINE = ":61:2503140314C50,00NTRFNONREF//BR1\n:86:ONE\n"

    def test_non_numeric_amount(self) -> None:
        error = failure(mt940(self.LINE + ":61:2503140314CABCNTRFNONREF//BR2\n:86:TWO\n"))
        assert error.where == "entry 2 (line 7)"
        assert error.field == "statement line (:61:)"

    def test_malformed_amount(self) -> None:
        error = failure(mt940(":61:2503140314C5,0,0NTRFNONREF//BR1\n:86:ONE\n"))
        assert (error.where, error.field) == ("entry 1 (line 5)", "amount (:61:)")
        assert "'5,0,0' is not a number" in error.reason

    def test_impossible_date_is_not_moved_to_the_end_of_february(self) -> None:
        error = failure(mt940(":61:2502310231C50,00NTRFNONREF//BR1\n:86:ONE\n"))
        assert str(error) == "entry 1 (line 5): value date (:61:): '250231' is not a real date"

    def test_impossible_booking_date(self) -> None:
        error = failure(mt940(":61:2503140230C50,00NTRFNONREF//BR1\n:86:ONE\n"))
        assert str(error) == "entry 1 (line 5): booking date (:61:): '0230' is not a real date"

    def test_unknown_currency(self) -> None:
        error = failure(mt940(self.LINE, opening="C250313XYZ100,00", closing="C250314XYZ150,00"))
        assert (error.field, error.reason) == ("currency (:60F:)", "'XYZ' is not an ISO 4217 currency code")

    def test_impossible_balance_date(self) -> None:
        error = failure(mt940(self.LINE, opening="C250230GBP100,00"))
        assert (error.field, error.reason) == ("opening balance (:60F:)", "'250230' is not a real date")

    def test_missing_transaction_type(self) -> None:
        error = failure(mt940(":61:2503140314C50,00\n:86:ONE\n"))
        assert (error.where, error.field) == ("entry 1 (line 5)", "transaction type (:61:)")

    def test_truncated_file(self) -> None:
        data = MT940_EXAMPLE.read_bytes()
        error = failure(data[: data.index(b":62F:")])
        assert error.field == "closing balance (:62F:)"
        assert "cut off" in error.reason

    def test_balances_that_do_not_add_up(self) -> None:
        error = failure(mt940(self.LINE, closing="C250314GBP151,00"))
        assert error.field == "closing balance (:62F:)"
        assert "makes 150.00 GBP, but the closing balance is 151.00" in error.reason

    def test_interim_report_without_opening_balance(self) -> None:
        data = b":20:INTRADAY\n:25:GB82WEST12345698765432\n:28C:1\n:34F:GBP0,00\n:61:2503140314C50,00NTRFNONREF\n"
        error = failure(data)
        assert error.field == "opening balance (:60F:)"
        assert "MT942" in error.reason

    def test_missing_account(self) -> None:
        error = failure(mt940(self.LINE).replace(b":25:GB82WEST12345698765432\n", b""))
        assert (error.where, error.field) == ("statement 1 (line 1)", "account (:25:)")


class TestOfxErrors:
    def test_non_numeric_amount(self) -> None:
        error = failure(ofx_sgml(stmttrn("1.00", fitid="A") + stmttrn("abc", fitid="B")).encode())
        assert str(error) == "entry 2: amount (TRNAMT): 'abc' is not a number"

    def test_unknown_currency(self) -> None:
        error = failure(ofx_sgml(stmttrn("1.00", fitid="A"), currency="XYZ").encode())
        assert str(error) == "statement 1: currency (CURDEF): 'XYZ' is not an ISO 4217 currency code"

    def test_impossible_date(self) -> None:
        error = failure(ofx_sgml(stmttrn("1.00", fitid="A", posted="20250231")).encode())
        assert str(error) == "entry 1: posting date (DTPOSTED): '20250231' is not a real date"

    def test_missing_amount(self) -> None:
        text = ofx_sgml(stmttrn("1.00", fitid="A")).replace("<TRNAMT>1.00", "")
        assert str(failure(text.encode())) == "entry 1: amount (TRNAMT): missing"

    def test_missing_posting_date(self) -> None:
        text = ofx_sgml(stmttrn("1.00", fitid="A")).replace("<DTPOSTED>20250303", "")
        assert failure(text.encode()).field == "posting date (DTPOSTED)"

    def test_truncated_file(self) -> None:
        data = OFX_EXAMPLE.read_bytes()
        error = failure(data[: len(data) // 2])
        assert error.field == "end of file (</OFX>)"
        assert "cut off" in error.reason

    def test_closing_tag_that_closes_the_wrong_element(self) -> None:
        data = OFX_EXAMPLE.read_bytes().replace(b"</STMTTRN>", b"</BANKTRANLIST>", 1)
        error = failure(data)
        assert (error.where, error.field) == ("line 49", "OFX structure")
        assert "<STMTTRN> should be closed" in error.reason


class TestWholeFileRefused:
    @pytest.mark.parametrize("data", [b"", b"  \r\n\t\n"], ids=["empty", "blank"])
    def test_empty_file(self, data: bytes) -> None:
        assert str(failure(data)) == "file: content: the file is empty"

    @pytest.mark.parametrize(
        ("data", "says"),
        [
            (bytes(range(256)) * 8, "the file is binary"),
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "the file is a PDF"),
            (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive or an Excel workbook"),
            (b"date,amount,reference\n2025-03-14,10.00,TOF/01234567\n", "the file is not a CAMT.053"),
        ],
        ids=["binary", "pdf", "zip", "csv"],
    )
    def test_unknown_file(self, data: bytes, says: str) -> None:
        error = failure(data)
        assert (error.where, error.field) == ("file", "format")
        assert says in error.reason
        assert "not a CAMT.053, MT940 or OFX statement" in error.reason

    def test_two_megabyte_line(self) -> None:
        error = failure(b":20:X\n:25:Y\n" + b"A" * (2 * 1024 * 1024) + b"\n")
        assert (error.where, error.field) == ("line 3", "length")

    def test_many_short_lines_ending_in_carriage_returns_are_not_one_long_line(self) -> None:
        error = failure((b"x" * 100 + b"\r") * 20_000)
        assert error.field == "format"

    def test_file_over_the_size_limit(self) -> None:
        error = failure(b"\n" * (MAX_FILE_BYTES + 1))
        assert (error.where, error.field) == ("file", "size")
        assert "100.0 MB limit" in error.reason

    def test_unknown_format_name(self) -> None:
        error = failure(OFX_EXAMPLE.read_bytes(), format="qif")
        assert (error.where, error.field) == ("file", "format")

    def test_text_instead_of_bytes_is_a_programming_error(self) -> None:
        with pytest.raises(TypeError, match="expects the file's bytes"):
            parse_statement(OFX_EXAMPLE.read_text())  # type: ignore[arg-type]


class TestStatementError:
    def test_message_names_place_field_and_reason(self) -> None:
        error = StatementError("entry 3", "amount", "'abc' is not a number")
        assert str(error) == "entry 3: amount: 'abc' is not a number"
        assert isinstance(error, ValueError)

    def test_survives_pickling_for_task_results(self) -> None:
        copy = pickle.loads(pickle.dumps(StatementError("entry 3", "amount", "'abc' is not a number")))  # noqa: S301
        assert (copy.where, copy.field, copy.reason) == ("entry 3", "amount", "'abc' is not a number")


def test_statement_is_a_frozen_value() -> None:
    statement = parse_statement(OFX_EXAMPLE.read_bytes())
    assert isinstance(statement, Statement)
    with pytest.raises(AttributeError):
        statement.lines[0].reference = "changed"  # type: ignore[misc]
