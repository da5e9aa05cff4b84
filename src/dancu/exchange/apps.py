from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dancu.exchange"
    label = "exchange"
