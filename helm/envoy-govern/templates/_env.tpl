{{/*
Environment of a workload's container: Kestrel endpoints per listener, then the shared settings. Called with
(dict "root" $ "workload" $w). Settings that hold secrets come from Secrets, never from values.
*/}}
{{- define "envoy-govern.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $scheme := ternary "https" "http" $v.tls.enabled -}}
{{- range $l := .workload.listeners }}
- name: {{ $l.prefix }}__Grpc__Url
  value: {{ printf "%s://*:%v" $scheme $l.grpcPort | quote }}
- name: {{ $l.prefix }}__Admin__Url
  value: {{ printf "http://*:%v" $l.adminPort | quote }}
{{- if $v.tls.enabled }}
- name: {{ $l.prefix }}__Grpc__Certificate__Path
  value: /etc/envoy-govern/tls/tls.crt
- name: {{ $l.prefix }}__Grpc__Certificate__KeyPath
  value: /etc/envoy-govern/tls/tls.key
{{- if $v.tls.requireClientCertificate }}
- name: {{ $l.prefix }}__Grpc__ClientCertificateMode
  value: RequireCertificate
{{- end }}
{{- end }}
{{- end }}
{{- if $v.tls.enabled }}
- name: Hosting__ClientCaFile
  value: /etc/envoy-govern/tls/ca.crt
{{- end }}
- name: Policy__Directory
  value: /etc/envoy-govern/policy
- name: Policy__PollInterval
  value: {{ $v.policy.pollInterval | quote }}
- name: Hosting__DrainDelay
  value: {{ $v.hosting.drainDelay | quote }}
- name: Hosting__ShutdownTimeout
  value: {{ $v.hosting.shutdownTimeout | quote }}
- name: Hosting__MaxReceiveMessageBytes
  value: {{ int64 $v.hosting.maxReceiveMessageBytes | quote }}
- name: Hosting__EnableReflection
  value: {{ $v.hosting.enableReflection | quote }}
- name: Logging__MinimumLevel
  value: {{ $v.logging.minimumLevel | quote }}
{{- if has "extauthz" .workload.serves }}
- name: Quotas__Store
  value: {{ $v.quotas.store | quote }}
- name: Quotas__Memory__MaxBuckets
  value: {{ int64 $v.quotas.memory.maxBuckets | quote }}
{{- if eq $v.quotas.store "Redis" }}
- name: Quotas__Redis__Configuration
  valueFrom:
    secretKeyRef:
      name: {{ $v.quotas.redis.existingSecret }}
      key: {{ $v.quotas.redis.secretKey }}
- name: Quotas__Redis__Timeout
  value: {{ $v.quotas.redis.timeout | quote }}
- name: Quotas__Redis__KeyPrefix
  value: {{ $v.quotas.redis.keyPrefix | quote }}
{{- end }}
- name: Canary__EvaluationInterval
  value: {{ $v.canary.evaluationInterval | quote }}
{{- end }}
- name: Canary__Store
  value: {{ $v.canary.store | quote }}
{{- if eq $v.canary.store "Redis" }}
- name: Canary__Redis__Configuration
  valueFrom:
    secretKeyRef:
      name: {{ $v.canary.redis.existingSecret }}
      key: {{ $v.canary.redis.secretKey }}
- name: Canary__Redis__Timeout
  value: {{ $v.canary.redis.timeout | quote }}
- name: Canary__Redis__KeyPrefix
  value: {{ $v.canary.redis.keyPrefix | quote }}
- name: Canary__Redis__FlushInterval
  value: {{ $v.canary.redis.flushInterval | quote }}
{{- end }}
- name: TokenBudgets__Store
  value: {{ $v.tokenBudgets.store | quote }}
- name: TokenBudgets__MaxEntries
  value: {{ int64 $v.tokenBudgets.memory.maxEntries | quote }}
{{- if eq $v.tokenBudgets.store "Redis" }}
- name: TokenBudgets__Redis__Configuration
  valueFrom:
    secretKeyRef:
      name: {{ $v.tokenBudgets.redis.existingSecret }}
      key: {{ $v.tokenBudgets.redis.secretKey }}
- name: TokenBudgets__Redis__Timeout
  value: {{ $v.tokenBudgets.redis.timeout | quote }}
- name: TokenBudgets__Redis__KeyPrefix
  value: {{ $v.tokenBudgets.redis.keyPrefix | quote }}
{{- end }}
{{- if has "extproc" .workload.serves }}
{{- if $v.waf.crs.volume }}
- name: Waf__CrsDirectory
  value: {{ trimSuffix "/" (printf "/etc/envoy-govern/crs/%s" $v.waf.crs.path) | quote }}
{{- end }}
- name: Waf__RegexTimeout
  value: {{ $v.waf.regexTimeout | quote }}
- name: Waf__EvaluationTimeout
  value: {{ $v.waf.evaluationTimeout | quote }}
{{- end }}
- name: Audit__Sink
  value: {{ $v.audit.sink | quote }}
- name: Audit__WriteBudget
  value: {{ $v.audit.writeBudget | quote }}
{{- range $i, $h := $v.audit.headers }}
- name: Audit__Headers__{{ $i }}
  value: {{ $h | quote }}
{{- end }}
{{- range $i, $q := $v.audit.redactQueryParameters }}
- name: Audit__RedactQueryParameters__{{ $i }}
  value: {{ $q | quote }}
{{- end }}
{{- if ne $v.audit.sink "Stdout" }}
- name: Audit__QueueDirectory
  value: /var/lib/envoygovern/audit
- name: Audit__MaxQueueBytes
  value: {{ int64 $v.audit.queue.maxBytes | quote }}
{{- end }}
{{- if eq $v.audit.sink "File" }}
- name: Audit__File__Directory
  value: /var/log/envoygovern/audit
{{- end }}
{{- if eq $v.audit.sink "Elasticsearch" }}
- name: Audit__Elasticsearch__Url
  value: {{ $v.audit.elasticsearch.url | quote }}
- name: Audit__Elasticsearch__DataStream
  value: {{ $v.audit.elasticsearch.dataStream | quote }}
{{- with $v.audit.elasticsearch.certificateFingerprint }}
- name: Audit__Elasticsearch__CertificateFingerprint
  value: {{ . | quote }}
{{- end }}
{{- with $v.audit.elasticsearch.existingSecret }}
{{- range $setting, $key := dict "ApiKey" "apiKey" "Username" "username" "Password" "password" }}
- name: Audit__Elasticsearch__{{ $setting }}
  valueFrom:
    secretKeyRef:
      name: {{ $.root.Values.audit.elasticsearch.existingSecret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end }}
{{- end }}
{{- if $v.audit.checkpoint.existingSecret }}
- name: Audit__Checkpoint__KeyFile
  value: /etc/envoy-govern/audit-key/{{ $v.audit.checkpoint.secretKey }}
{{- with $v.audit.checkpoint.keyId }}
- name: Audit__Checkpoint__KeyId
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
