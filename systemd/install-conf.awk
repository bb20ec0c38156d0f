# install-conf.awk — the installed entrustd.conf from the in-tree conf/entrustd.conf:
# every comment and value is kept, except the paths, which become the FHS paths of an
# installed system; a path parameter the in-tree file leaves out is appended.
#   awk -v etcdir=/etc/entrust -v sharedir=/usr/share/entrust -v spooldir=/var/spool/entrust \
#       -v libdir=/var/lib/entrust -v logdir=/var/log/entrust -f install-conf.awk conf/entrustd.conf
BEGIN {
	path["spool_dir"] = spooldir
	path["store_dir"] = libdir
	path["xsd_dir"] = sharedir "/xsd"
	path["xslt_dir"] = sharedir "/xslt"
	path["codes_dir"] = etcdir "/codes"
	path["trust_ca"] = etcdir "/pki/ca.pem"
	path["hub_cert"] = etcdir "/pki/hub.pem"
	path["hub_key"] = etcdir "/pki/hub.key"
	path["registry"] = etcdir "/parties.conf"
	path["log_file"] = logdir "/entrustd.log"
	order = "spool_dir store_dir xsd_dir xslt_dir codes_dir trust_ca hub_cert hub_key registry log_file"
}
NR == 1 {
	print
	print "# Installed configuration (make install / Debian package): system paths, see entrustd.conf(5)."
	next
}
/^[ \t]*[a-z_]+[ \t]*=/ {
	name = $0
	sub(/^[ \t]*/, "", name)
	sub(/[ \t]*=.*/, "", name)
	if (name in path) {
		print name " = " path[name]
		seen[name] = 1
		next
	}
}
{ print }
END {
	n = split(order, names, " ")
	for (i = 1; i <= n; i++)
		if (!(names[i] in seen)) {
			if (!header++)
				print "\n# Folders of an installed system 安装路径"
			print names[i] " = " path[names[i]]
		}
}
