<?xml version="1.0" encoding="UTF-8"?>
<!-- print.xsl — 打印 (R17): one agreement in status 2 with its letter, as the
     standard paper forms of the China Customs Brokers Association:
     《代理报关委托书》 (the letter) and the two-half 《委托报关协议》 (left half
     委托方, right half 被委托方).  Input: the <Print> document made by
     src/print.c (Letter, Agreement with BrokerHalf; coded fields carry @name).
     Output: one HTML page printable on A4.  The transformation runs with all
     file and network access forbidden; this sheet needs neither. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="L" select="/Print/Letter"/>
  <xsl:variable name="A" select="/Print/Agreement"/>
  <xsl:variable name="H" select="/Print/Agreement/BrokerHalf"/>

  <!-- ☑ when the space-separated list contains the token, else ☐ -->
  <xsl:template name="box">
    <xsl:param name="list"/>
    <xsl:param name="token"/>
    <xsl:param name="label"/>
    <span class="box">
      <xsl:choose>
        <xsl:when test="contains(concat(' ', normalize-space($list), ' '), concat(' ', $token, ' '))">☑</xsl:when>
        <xsl:otherwise>☐</xsl:otherwise>
      </xsl:choose>
      <xsl:value-of select="$label"/>
    </span>
  </xsl:template>

  <!-- letters of the matters string "AC" as a token list "A C" is not needed: test with contains() -->
  <xsl:template name="matter">
    <xsl:param name="code"/>
    <xsl:param name="label"/>
    <span class="box">
      <xsl:choose>
        <xsl:when test="contains($L/Matters, $code)">☑</xsl:when>
        <xsl:otherwise>☐</xsl:otherwise>
      </xsl:choose>
      <xsl:value-of select="$code"/>. <xsl:value-of select="$label"/>
    </span>
  </xsl:template>

  <xsl:template name="coded">
    <xsl:param name="n"/>
    <xsl:value-of select="$n"/>
    <xsl:if test="string($n/@name)"> <xsl:value-of select="concat(' ', $n/@name)"/></xsl:if>
  </xsl:template>

  <xsl:template match="/">
    <html lang="zh-CN">
      <head>
        <meta charset="UTF-8"/>
        <title>委托报关协议 <xsl:value-of select="$A/Number"/></title>
        <style>
          @page { size: A4; margin: 12mm; }
          body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", serif; font-size: 10.5pt; color: #000; margin: 0; }
          .sheet { width: 186mm; margin: 0 auto; }
          h1 { text-align: center; font-size: 18pt; letter-spacing: 0.3em; margin: 4mm 0 2mm; }
          .no { text-align: right; font-size: 9.5pt; }
          .letter p { line-height: 1.9; text-indent: 2em; margin: 1mm 0; }
          .u { border-bottom: 1px solid #000; padding: 0 1.5mm; }
          .box { margin-right: 3mm; white-space: nowrap; }
          .sign { display: flex; justify-content: space-between; margin-top: 4mm; }
          table.agr { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 2mm; }
          table.agr td, table.agr th { border: 1px solid #000; padding: 1.2mm 1.5mm; vertical-align: top; word-wrap: break-word; }
          table.agr th { width: 22%; font-weight: normal; background: #f2f2f2; text-align: left; }
          .half { font-weight: bold; text-align: center; background: #e6e6e6; }
          .cut { border-top: 1px dashed #000; margin: 6mm 0 2mm; text-align: center; font-size: 9pt; }
          .status { font-size: 9.5pt; margin-top: 3mm; }
          .terms { font-size: 8.5pt; margin-top: 2mm; }
          @media print { .sheet { width: auto; } }
        </style>
      </head>
      <body>
        <div class="sheet">
          <!-- 代理报关委托书 -->
          <div class="no">编号 No. <span id="letter-number"><xsl:value-of select="$L/Number"/></span></div>
          <h1>代理报关委托书</h1>
          <div class="letter">
            <p><span class="u"><xsl:value-of select="$L/Broker/Name"/></span>：</p>
            <p>
              我单位现
              <span class="box"><xsl:choose><xsl:when test="$L/Mode='A'">☑</xsl:when><xsl:otherwise>☐</xsl:otherwise></xsl:choose>A. 逐票</span>
              <span class="box"><xsl:choose><xsl:when test="$L/Mode='B'">☑</xsl:when><xsl:otherwise>☐</xsl:otherwise></xsl:choose>B. 长期</span>
              委托贵公司代理
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'A'"/><xsl:with-param name="label" select="'填单申报'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'B'"/><xsl:with-param name="label" select="'辅助查验'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'C'"/><xsl:with-param name="label" select="'垫缴税款'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'D'"/><xsl:with-param name="label" select="'办理海关证明联'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'E'"/><xsl:with-param name="label" select="'审批手册'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'F'"/><xsl:with-param name="label" select="'核销手册'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'G'"/><xsl:with-param name="label" select="'申办减免税手续'"/></xsl:call-template>
              <xsl:call-template name="matter"><xsl:with-param name="code" select="'H'"/><xsl:with-param name="label" select="'其他'"/></xsl:call-template>
              <xsl:if test="string($L/OtherMatter)">（<xsl:value-of select="$L/OtherMatter"/>）</xsl:if>
              等通关事宜。详见《委托报关协议》。
            </p>
            <p>我单位保证遵守《海关法》和国家有关法规，保证所提供的情况真实、完整、单货相符，否则，愿承担相关法律责任。</p>
            <p>本委托书有效期 <span class="u"><xsl:value-of select="$L/ValidityMonths"/></span> 个月，自签字之日
              <span class="u"><xsl:value-of select="$L/SignedOn"/></span> 起至
              <span class="u" id="valid-until"><xsl:value-of select="$L/ValidUntil"/></span> 止。
              委托协议自动确认：<xsl:choose><xsl:when test="$L/AutoConfirm='1'">是</xsl:when><xsl:otherwise>否</xsl:otherwise></xsl:choose>。</p>
            <div class="sign">
              <div>委托方（盖章）：<span class="u"><xsl:value-of select="$L/Consignor/Name"/></span>
                （海关编码 <xsl:value-of select="$L/Consignor/Code"/><xsl:if test="string($L/Consignor/Credit)">，统一社会信用代码 <xsl:value-of select="$L/Consignor/Credit"/></xsl:if>）</div>
            </div>
            <div class="sign">
              <div>法定代表人或其授权签署《代理报关委托书》的人（签字）：<span class="u"><xsl:value-of select="$L/Consignor/Signer"/></span></div>
              <div><xsl:value-of select="$L/SignedOn"/></div>
            </div>
          </div>

          <div class="cut">— 委托报关协议 —</div>

          <!-- 委托报关协议: left half 委托方, right half 被委托方 -->
          <div class="no">编号 No. <span id="agreement-number"><xsl:value-of select="$A/Number"/></span></div>
          <h1>委托报关协议</h1>
          <p class="terms">为明确委托报关具体事项和各自责任，双方经平等协商签定协议如下：</p>
          <table class="agr">
            <tr>
              <td class="half" colspan="2">委托方</td>
              <td class="half" colspan="2">被委托方</td>
            </tr>
            <tr>
              <th>委托方</th><td><xsl:value-of select="$L/Consignor/Name"/>（<xsl:value-of select="$A/Consignor"/>）</td>
              <th>报关企业名称</th><td><xsl:value-of select="$L/Broker/Name"/>（<xsl:value-of select="$A/Broker"/>）</td>
            </tr>
            <tr>
              <th>主要货物名称</th><td id="goods"><xsl:value-of select="$A/GoodsName"/></td>
              <th>*报关单编码</th><td><xsl:value-of select="$H/DeclarationNumber"/></td>
            </tr>
            <tr>
              <th>HS编码</th><td><xsl:value-of select="$A/HsCode"/></td>
              <th>收到单证日期</th><td><xsl:value-of select="$H/ReceivedOn"/></td>
            </tr>
            <tr>
              <th>货物总价</th><td><xsl:value-of select="$A/TotalValue"/>　<xsl:call-template name="coded"><xsl:with-param name="n" select="$A/Currency"/></xsl:call-template></td>
              <th rowspan="2">收到单证情况</th>
              <td rowspan="2">
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'contract'"/><xsl:with-param name="label" select="'合同'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'invoice'"/><xsl:with-param name="label" select="'发票'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'packing-list'"/><xsl:with-param name="label" select="'装箱清单'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'bill-of-lading'"/><xsl:with-param name="label" select="'提(运)单'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'manual'"/><xsl:with-param name="label" select="'加工贸易手册'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'licence'"/><xsl:with-param name="label" select="'许可证件'"/></xsl:call-template>
                <xsl:call-template name="box"><xsl:with-param name="list" select="$H/Documents"/><xsl:with-param name="token" select="'other'"/><xsl:with-param name="label" select="'其他'"/></xsl:call-template>
              </td>
            </tr>
            <tr>
              <th>数量</th><td><xsl:value-of select="$A/Quantity"/>　<xsl:call-template name="coded"><xsl:with-param name="n" select="$A/Unit"/></xsl:call-template></td>
            </tr>
            <tr>
              <th>进出口日期</th><td><xsl:choose><xsl:when test="$A/Direction='E'">出口</xsl:when><xsl:otherwise>进口</xsl:otherwise></xsl:choose>　<xsl:value-of select="$A/Date"/></td>
              <th>报关收费</th><td>人民币 <xsl:value-of select="$H/Fee"/> 元</td>
            </tr>
            <tr>
              <th>提(运)单号</th><td id="bill"><xsl:value-of select="$A/BillOfLading"/></td>
              <th rowspan="4">承诺说明</th><td rowspan="4"><xsl:value-of select="$H/Commitments"/></td>
            </tr>
            <tr>
              <th>贸易方式</th><td><xsl:call-template name="coded"><xsl:with-param name="n" select="$A/TradeMode"/></xsl:call-template></td>
            </tr>
            <tr>
              <th>原产地/货源地</th><td><xsl:call-template name="coded"><xsl:with-param name="n" select="$A/Origin"/></xsl:call-template></td>
            </tr>
            <tr>
              <th>付款方</th><td><xsl:choose><xsl:when test="$A/Payer='broker'">被委托方付款</xsl:when><xsl:otherwise>由委托方付款</xsl:otherwise></xsl:choose></td>
            </tr>
            <tr>
              <th>其他要求</th><td><xsl:value-of select="$A/OtherRequirements"/></td>
              <th>其他</th><td>委托书编号 <xsl:value-of select="$L/Number"/></td>
            </tr>
            <tr>
              <td colspan="2">背面所列通用条款是本协议不可分割的一部分，对本协议的签署构成了对背面通用条款的同意。<br/><br/>
                委托方业务签章：<br/>经办人签章：<xsl:value-of select="$L/Consignor/Signer"/><br/>联系电话：<xsl:value-of select="$L/Consignor/Phone"/><br/>
                <xsl:value-of select="$A/SignedAt"/></td>
              <td colspan="2">背面所列通用条款是本协议不可分割的一部分，对本协议的签署构成了对背面通用条款的同意。<br/><br/>
                被委托方业务签章：<br/>经办报关员签章：<xsl:value-of select="$L/Broker/Signer"/><br/>联系电话：<xsl:value-of select="$L/Broker/Phone"/><br/>
                <xsl:value-of select="$A/SignedAt"/></td>
            </tr>
          </table>
          <p class="status">协议状态 Status：<span id="status"><xsl:value-of select="$A/Status"/></span>
            <xsl:value-of select="concat(' ', $A/StatusName)"/>　·　电子委托报关协议（单证类型 10000001 代理报关委托协议（电子））
            ·　生成时间 <xsl:value-of select="/Print/@generated"/></p>
        </div>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
