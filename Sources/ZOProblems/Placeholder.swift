import ZOCore
