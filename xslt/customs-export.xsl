<?xml version="1.0" encoding="UTF-8"?>
<!-- customs-export.xsl — from the hub's ExportSource (urn:entrust:1, built by src/export.c
     from the store) to the customs format 代理报关委托协议（电子）(urn:entrust:customs:1,
     xsd/customs/agent-agreement.xsd).  Pure mapping: no document(), no extensions; the
     daemon runs it with every libxslt security preference forbidden. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:e="urn:entrust:1"
    xmlns="urn:entrust:customs:1"
    exclude-result-prefixes="e">
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <!-- 2026-12-20 → 20261220 -->
  <xsl:template name="date8">
    <xsl:param name="d"/>
    <xsl:value-of select="translate($d, '-', '')"/>
  </xsl:template>

  <xsl:template name="party">
    <xsl:param name="p"/>
    <CustomsCode><xsl:value-of select="$p/e:Code"/></CustomsCode>
    <CreditCode><xsl:value-of select="$p/e:CreditCode"/></CreditCode>
    <Name><xsl:value-of select="$p/e:Name"/></Name>
    <Signer><xsl:value-of select="$p/e:Signer"/></Signer>
    <Phone><xsl:value-of select="$p/e:Phone"/></Phone>
  </xsl:template>

  <xsl:template match="/e:ExportSource">
    <AgentAgreementMessage guid="{e:Guid}" version="1.0">
      <TransferHead>
        <MessageType><xsl:value-of select="e:Kind"/></MessageType>
        <SenderCode><xsl:value-of select="e:HubCode"/></SenderCode>
        <SenderName>电子代理报关委托交换中心 entrust hub</SenderName>
        <ReceiverCode><xsl:value-of select="e:Receiver"/></ReceiverCode>
        <SendTime><xsl:value-of select="e:SendTime"/></SendTime>
      </TransferHead>
      <Attachment>
        <DocType>10000001</DocType>
        <DocName>代理报关委托协议（电子）</DocName>
        <xsl:apply-templates select="e:Letter"/>
        <xsl:apply-templates select="e:Agreement"/>
      </Attachment>
    </AgentAgreementMessage>
  </xsl:template>

  <xsl:template match="e:Letter">
    <EntrustLetter>
      <LetterNo><xsl:value-of select="e:Number"/></LetterNo>
      <Consignor><xsl:call-template name="party"><xsl:with-param name="p" select="e:Consignor"/></xsl:call-template></Consignor>
      <Agent><xsl:call-template name="party"><xsl:with-param name="p" select="e:Broker"/></xsl:call-template></Agent>
      <EntrustMode><xsl:value-of select="e:Mode"/></EntrustMode>
      <EntrustMatters><xsl:value-of select="e:Matters"/></EntrustMatters>
      <OtherMatter><xsl:value-of select="e:OtherMatter"/></OtherMatter>
      <ValidUntil><xsl:call-template name="date8"><xsl:with-param name="d" select="e:ValidUntil"/></xsl:call-template></ValidUntil>
    </EntrustLetter>
  </xsl:template>

  <xsl:template match="e:Agreement">
    <Agreement>
      <AgreementNo><xsl:value-of select="e:Number"/></AgreementNo>
      <AgreementStatus><xsl:value-of select="e:Status"/></AgreementStatus>
      <GoodsName><xsl:value-of select="e:GoodsName"/></GoodsName>
      <CodeTs><xsl:value-of select="e:HsCode"/></CodeTs>
      <TotalPrice><xsl:value-of select="e:TotalValue"/></TotalPrice>
      <Currency><xsl:value-of select="e:Currency"/></Currency>
      <Qty><xsl:value-of select="e:Quantity"/></Qty>
      <Unit><xsl:value-of select="e:Unit"/></Unit>
      <IEFlag><xsl:value-of select="e:Direction"/></IEFlag>
      <IEDate><xsl:call-template name="date8"><xsl:with-param name="d" select="e:Date"/></xsl:call-template></IEDate>
      <BillNo><xsl:value-of select="e:BillOfLading"/></BillNo>
      <TradeMode><xsl:value-of select="e:TradeMode"/></TradeMode>
      <OriginCountry><xsl:value-of select="e:Origin"/></OriginCountry>
      <OtherRequirements><xsl:value-of select="e:OtherRequirements"/></OtherRequirements>
      <!-- 付款方: 1 委托方 consignor, 2 被委托方 broker -->
      <Payer><xsl:choose><xsl:when test="e:Payer = 'broker'">2</xsl:when><xsl:otherwise>1</xsl:otherwise></xsl:choose></Payer>
      <DocumentsReceived><xsl:value-of select="e:DocumentsReceived"/></DocumentsReceived>
      <DocumentsReceivedDate><xsl:call-template name="date8"><xsl:with-param name="d" select="e:ReceivedOn"/></xsl:call-template></DocumentsReceivedDate>
      <DeclarationFee><xsl:value-of select="e:Fee"/></DeclarationFee>
      <Commitments><xsl:value-of select="e:Commitments"/></Commitments>
      <EntryId><xsl:value-of select="e:DeclarationNumber"/></EntryId>
      <SignTime><xsl:value-of select="e:SignTime"/></SignTime>
    </Agreement>
  </xsl:template>
</xsl:stylesheet>
