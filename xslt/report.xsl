<?xml version="1.0" encoding="UTF-8"?>
<!-- report.xsl — 使用统计 (R23): agreements used by customs (status 5) between two
     dates, per counterparty and per month, as an HTML page with SVG bar charts.
     Input: <Report from to party total generated> with <Counterparty key label
     count/> and <Month key label count/> rows, made by src/print.c.  Runs with
     all file and network access forbidden. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:svg="http://www.w3.org/2000/svg" exclude-result-prefixes="svg">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <!-- a horizontal bar chart of the rows given -->
  <xsl:template name="chart">
    <xsl:param name="rows"/>
    <xsl:param name="id"/>
    <xsl:variable name="max">
      <xsl:for-each select="$rows">
        <xsl:sort select="@count" data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="@count"/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="scale">
      <xsl:choose><xsl:when test="number($max) &gt; 0"><xsl:value-of select="360 div number($max)"/></xsl:when><xsl:otherwise>0</xsl:otherwise></xsl:choose>
    </xsl:variable>
    <svg xmlns="http://www.w3.org/2000/svg" id="{$id}" width="640" height="{count($rows) * 26 + 10}" role="img">
      <xsl:for-each select="$rows">
        <xsl:variable name="y" select="(position() - 1) * 26 + 5"/>
        <text x="0" y="{$y + 15}" font-size="12"><xsl:value-of select="substring(@label, 1, 28)"/></text>
        <rect x="220" y="{$y}" width="{@count * $scale}" height="18" fill="#3b6ea5"/>
        <text x="{225 + @count * $scale}" y="{$y + 14}" font-size="12"><xsl:value-of select="@count"/></text>
      </xsl:for-each>
    </svg>
  </xsl:template>

  <xsl:template name="table">
    <xsl:param name="rows"/>
    <xsl:param name="head"/>
    <table>
      <tr><th><xsl:value-of select="$head"/></th><th>份数 count</th></tr>
      <xsl:for-each select="$rows">
        <tr><td><xsl:value-of select="@label"/></td><td class="n"><xsl:value-of select="@count"/></td></tr>
      </xsl:for-each>
      <tr class="total"><td>合计 total</td><td class="n"><xsl:value-of select="/Report/@total"/></td></tr>
    </table>
  </xsl:template>

  <xsl:template match="/Report">
    <html lang="zh-CN">
      <head>
        <meta charset="UTF-8"/>
        <title>委托协议使用统计 <xsl:value-of select="@from"/> – <xsl:value-of select="@to"/></title>
        <style>
          @page { size: A4; margin: 15mm; }
          body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 10.5pt; margin: 0; }
          h1 { font-size: 16pt; }
          table { border-collapse: collapse; margin: 3mm 0 6mm; min-width: 120mm; }
          td, th { border: 1px solid #999; padding: 1mm 2mm; text-align: left; }
          td.n { text-align: right; }
          tr.total td { font-weight: bold; }
        </style>
      </head>
      <body>
        <h1>委托协议使用统计 Agreement usage report</h1>
        <p>期间 Period: <span id="from"><xsl:value-of select="@from"/></span> – <span id="to"><xsl:value-of select="@to"/></span>
          <xsl:if test="string(@party)">　企业 Enterprise: <span id="party"><xsl:value-of select="@party"/></span></xsl:if>
          　合计 Total: <span id="total"><xsl:value-of select="@total"/></span>
          （仅统计海关已用（状态5）的委托协议 only agreements used by customs, status 5, R23）</p>
        <h2>按对方企业 By counterparty</h2>
        <xsl:call-template name="chart"><xsl:with-param name="rows" select="Counterparty"/><xsl:with-param name="id" select="'chart-counterparty'"/></xsl:call-template>
        <xsl:call-template name="table"><xsl:with-param name="rows" select="Counterparty"/><xsl:with-param name="head" select="'对方企业 counterparty'"/></xsl:call-template>
        <h2>按月份 By month</h2>
        <xsl:call-template name="chart"><xsl:with-param name="rows" select="Month"/><xsl:with-param name="id" select="'chart-month'"/></xsl:call-template>
        <xsl:call-template name="table"><xsl:with-param name="rows" select="Month"/><xsl:with-param name="head" select="'月份 month'"/></xsl:call-template>
        <p>生成时间 Generated: <xsl:value-of select="@generated"/></p>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
