{{/* Names, labels and the workloads of the chosen mode. */}}

{{- define "envoy-govern.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "envoy-govern.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "envoy-govern.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "envoy-govern.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "envoy-govern.selectorLabels" -}}
app.kubernetes.io/name: {{ include "envoy-govern.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "envoy-govern.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "envoy-govern.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: envoy-govern
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "envoy-govern.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "envoy-govern.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "envoy-govern.policyConfigMap" -}}
{{- default (printf "%s-policy" (include "envoy-govern.fullname" .)) .Values.policy.existingConfigMap -}}
{{- end -}}

{{/* The policy files of the chart's ConfigMap: the user's, or the default-deny document when there are none. */}}
{{- define "envoy-govern.policyFiles" -}}
{{- if .Values.policy.files -}}
{{- toYaml .Values.policy.files -}}
{{- else -}}
{{- toYaml (dict "default-deny.yaml" (.Files.Get "files/default-deny.yaml")) -}}
{{- end -}}
{{- end -}}

{{- define "envoy-govern.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
The Deployments of the chosen mode, as a YAML list. Each has its values key, name suffix, component label,
command, and its listeners: Kestrel configuration prefix, gRPC and admin ports, and the gRPC service that
health reports for it. Under `serve` both services share one process and one metrics registry, so only the
first admin port is scraped (the second would count every series twice).
*/}}
{{- define "envoy-govern.workloads" -}}
{{- if eq .Values.mode "combined" }}
- key: combined
  suffix: ""
  component: combined
  command: [dotnet, envoy-govern.dll, serve]
  serves: [extauthz, extproc]
  listeners:
    - prefix: ExtAuthz__Kestrel__Endpoints
      grpcName: grpc-authz
      grpcPort: 9001
      adminName: admin-authz
      adminPort: 9101
      grpcService: envoy.service.auth.v3.Authorization
    - prefix: ExtProc__Kestrel__Endpoints
      grpcName: grpc-proc
      grpcPort: 9002
      adminName: admin-proc
      adminPort: 9102
      grpcService: envoy.service.ext_proc.v3.ExternalProcessor
{{- else }}
- key: extAuthz
  suffix: "-extauthz"
  component: extauthz
  command: [dotnet, EnvoyGovern.ExtAuthz.dll]
  serves: [extauthz]
  listeners:
    - prefix: Kestrel__Endpoints
      grpcName: grpc-authz
      grpcPort: 9001
      adminName: admin-authz
      adminPort: 9101
      grpcService: envoy.service.auth.v3.Authorization
- key: extProc
  suffix: "-extproc"
  component: extproc
  command: [dotnet, EnvoyGovern.ExtProc.dll]
  serves: [extproc]
  listeners:
    - prefix: Kestrel__Endpoints
      grpcName: grpc-proc
      grpcPort: 9002
      adminName: admin-proc
      adminPort: 9102
      grpcService: envoy.service.ext_proc.v3.ExternalProcessor
{{- end }}
{{- end -}}

{{/* The component label of the pods that serve `service` (extauthz or extproc) in the chosen mode. */}}
{{- define "envoy-govern.componentServing" -}}
{{- if eq .root.Values.mode "combined" -}}combined{{- else -}}{{ .service }}{{- end -}}
{{- end -}}

{{/* Least replicas a workload runs: what decides whether a PodDisruptionBudget makes sense. */}}
{{- define "envoy-govern.minReplicas" -}}
{{- if .autoscaling.enabled -}}{{ .autoscaling.minReplicas }}{{- else -}}{{ .replicaCount }}{{- end -}}
{{- end -}}

{{/* Values that cannot be combined, refused with a message rather than rendered into a broken release. */}}
{{- define "envoy-govern.validate" -}}
{{- if and .Values.policy.existingConfigMap .Values.policy.restartOnChange -}}
{{- fail "policy.restartOnChange works with the chart's ConfigMap only: the chart cannot hash policy.existingConfigMap" -}}
{{- end -}}
{{- if and (eq .Values.quotas.store "Redis") (not .Values.quotas.redis.existingSecret) -}}
{{- fail "quotas.store Redis needs quotas.redis.existingSecret (the connection string may hold a password)" -}}
{{- end -}}
{{- if and (eq .Values.canary.store "Redis") (not .Values.canary.redis.existingSecret) -}}
{{- fail "canary.store Redis needs canary.redis.existingSecret (the connection string may hold a password)" -}}
{{- end -}}
{{- if and (eq .Values.tokenBudgets.store "Redis") (not .Values.tokenBudgets.redis.existingSecret) -}}
{{- fail "tokenBudgets.store Redis needs tokenBudgets.redis.existingSecret (the connection string may hold a password)" -}}
{{- end -}}
{{- if and (eq .Values.audit.sink "Elasticsearch") (not .Values.audit.elasticsearch.url) -}}
{{- fail "audit.sink Elasticsearch needs audit.elasticsearch.url" -}}
{{- end -}}
{{- if and (eq .Values.mode "combined") (ne .Values.audit.sink "Stdout") -}}
{{- fail "audit.sink File or Elasticsearch needs mode separate: under `serve` both services would write one queue directory (Audit:QueueDirectory belongs to one writer)" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) -}}
{{- fail "tls.enabled needs tls.existingSecret (tls.crt, tls.key, ca.crt)" -}}
{{- end -}}
{{- end -}}
